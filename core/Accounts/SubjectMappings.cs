using System.Text;
using Nats.Core.Config;
using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// An account's subject mappings, as nats-server's <c>AddWeightedMappings</c> builds them and
/// <c>selectMappedSubject</c> applies them: a message published on a mapping's source goes to one
/// of its destinations, picked at random by weight; weights below 100 leave the rest on the
/// original subject, unless the source is itself a destination (then the rest is dropped).
/// Destinations scoped to a cluster replace the others on that cluster's servers.
/// Immutable: a change builds a new instance (the account swaps it whole).
/// </summary>
public sealed class SubjectMappings
{
    private readonly Entry[] _entries;

    private SubjectMappings(Entry[] entries)
    {
        _entries = entries;
    }

    /// <summary>The mappings, in the order they are tried.</summary>
    public IReadOnlyList<MappingConfig> Definitions { get; private init; } = [];

    /// <summary>Builds the mappings; null when there are none.</summary>
    /// <exception cref="TransformException">A mapping is not valid (the message names it, as nats-server's config error does).</exception>
    public static SubjectMappings? Create(IReadOnlyList<MappingConfig> mappings)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        if (mappings.Count == 0)
        {
            return null;
        }
        var entries = new List<Entry>();
        foreach (var mapping in mappings)
        {
            var entry = Build(mapping);
            // A later mapping of the same source replaces the earlier one, as in nats-server.
            var at = entries.FindIndex(e => e.Source == mapping.Source);
            if (at >= 0)
            {
                entries[at] = entry;
            }
            else
            {
                entries.Add(entry);
            }
        }
        return new SubjectMappings([.. entries]) { Definitions = [.. mappings] };
    }

    /// <summary>Why <paramref name="mapping"/> cannot be added (nats-server's reason), or null.</summary>
    public static string? Problem(MappingConfig mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        try
        {
            Build(mapping);
            return null;
        }
        catch (TransformException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// The subject a message published on <paramref name="subject"/> goes to: null when no mapping
    /// applies, empty when the mapping drops it (weights short of 100 with the source listed).
    /// </summary>
    /// <param name="subject">The literal subject published.</param>
    /// <param name="clusterName">This server's cluster, for cluster-scoped destinations.</param>
    public byte[]? Map(ReadOnlySpan<byte> subject, string? clusterName)
    {
        foreach (var entry in _entries)
        {
            if (entry.IsWildcard ? !SubjectMatcher.MatchLiteral(subject, entry.SourceUtf8) : !subject.SequenceEqual(entry.SourceUtf8))
            {
                continue;
            }
            var destinations = entry.Destinations;
            if (entry.ByCluster is { } byCluster && clusterName is not null && byCluster.TryGetValue(clusterName, out var scoped))
            {
                destinations = scoped;
            }
            var chosen = Pick(destinations);
            return chosen is null ? [] : chosen.Apply(subject);
        }
        return null;
    }

    private static SubjectTransform? Pick(Destination[] destinations)
    {
        if (destinations.Length == 1 && destinations[0].Cumulative == 100)
        {
            return destinations[0].Transform;
        }
        var roll = Random.Shared.Next(100);
        foreach (var destination in destinations)
        {
            if (roll < destination.Cumulative)
            {
                return destination.Transform;
            }
        }
        return null;
    }

    private static Entry Build(MappingConfig mapping)
    {
        if (!SubjectValidator.IsValidSubject(mapping.Source))
        {
            throw TransformException.BadSubject();
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var totals = new Dictionary<string, int>(StringComparer.Ordinal);
        var plain = new List<(SubjectTransform, int)>();
        Dictionary<string, List<(SubjectTransform, int)>>? byCluster = null;
        foreach (var destination in mapping.Destinations)
        {
            if (!seen.Add(destination.Subject))
            {
                throw new TransformException($"duplicate entry for \"{destination.Subject}\"");
            }
            if (destination.Weight > 100)
            {
                throw new TransformException("individual weights need to be <= 100");
            }
            var cluster = destination.Cluster ?? "";
            totals[cluster] = totals.GetValueOrDefault(cluster) + destination.Weight;
            if (totals[cluster] > 100)
            {
                throw new TransformException("total weight needs to be <= 100");
            }
            var transform = SubjectTransform.Create(mapping.Source, destination.Subject);
            if (cluster.Length == 0)
            {
                plain.Add((transform, destination.Weight));
            }
            else
            {
                byCluster ??= new Dictionary<string, List<(SubjectTransform, int)>>(StringComparer.Ordinal);
                if (!byCluster.TryGetValue(cluster, out var list))
                {
                    byCluster[cluster] = list = [];
                }
                list.Add((transform, destination.Weight));
            }
        }
        var keepsSource = seen.Contains(mapping.Source);
        return new Entry(
            mapping.Source,
            Encoding.UTF8.GetBytes(mapping.Source),
            SubjectValidator.HasWildcard(mapping.Source),
            Cumulate(mapping.Source, plain, keepsSource),
            byCluster?.ToDictionary(c => c.Key, c => Cumulate(mapping.Source, c.Value, keepsSource), StringComparer.Ordinal));
    }

    /// <summary>
    /// nats-server's processDestinations: the original subject takes what the weights leave
    /// (unless listed itself), then the weights become running totals, smallest first.
    /// </summary>
    private static Destination[] Cumulate(string source, List<(SubjectTransform Transform, int Weight)> destinations, bool keepsSource)
    {
        var total = destinations.Sum(d => d.Weight);
        var all = new List<(SubjectTransform Transform, int Weight)>(destinations);
        if (total != 100 && !keepsSource)
        {
            var identity = SubjectTransform.Create(source, SubjectValidator.HasWildcard(source) ? SubjectTransform.Tokenize(source) : source);
            all.Add((identity, destinations.Count == 0 ? 100 : 100 - total));
        }
        var running = 0;
        return [.. all.OrderBy(d => d.Weight).Select(d => new Destination(d.Transform, running += d.Weight))];
    }

    private sealed record Destination(SubjectTransform Transform, int Cumulative);

    private sealed record Entry(string Source, byte[] SourceUtf8, bool IsWildcard, Destination[] Destinations, Dictionary<string, Destination[]>? ByCluster);
}
