using System.Globalization;
using Nats.Core.Accounts;

namespace Nats.Core.Config.Binding;

/// <summary>
/// <c>mappings { "src": "dest" }</c> (also spelled <c>maps</c>), at top level or in an account, as
/// nats-server's <c>parseAccountMappings</c> reads it: a destination is a subject, a
/// <c>{ destination, weight, cluster }</c> map or a list of those. Each mapping is checked as
/// nats-server's <c>AddWeightedMappings</c> checks it, with its texts.
/// </summary>
internal static class MappingsBinder
{
    public static List<MappingConfig> Bind(ConfEntry entry, BindContext ctx)
    {
        var mappings = new List<MappingConfig>();
        if (entry.Value is not ConfMap map)
        {
            ctx.Error(entry, $"Expected a map of mappings, got {entry.Value.Describe()}");
            return mappings;
        }
        foreach (var item in map)
        {
            if (item.Value.IsUsedAsVariable)
            {
                continue;
            }
            if (!Subjects.SubjectValidator.IsValidSubject(item.Key))
            {
                ctx.Error(item, $"Subject \"{item.Key}\" is not a valid subject");
                continue;
            }
            var mapping = new MappingConfig { Source = item.Key };
            switch (item.Value)
            {
                case ConfString destination:
                    mapping.Destinations.Add(new MappingDestinationConfig { Subject = destination.Value });
                    if (SubjectMappings.Problem(mapping) is { } single)
                    {
                        ctx.Error(item, $"Error adding mapping for \"{item.Key}\" to \"{destination.Value}\" : {single}");
                        continue;
                    }
                    break;
                case ConfList list:
                    var bad = false;
                    foreach (var value in list)
                    {
                        if (Destination(value, ctx) is { } weighted)
                        {
                            mapping.Destinations.Add(weighted);
                        }
                        else
                        {
                            bad = true;
                        }
                    }
                    if (bad || !Check(mapping, item, ctx))
                    {
                        continue;
                    }
                    break;
                case ConfMap:
                    if (Destination(item.Value, ctx) is not { } one)
                    {
                        continue;
                    }
                    mapping.Destinations.Add(one);
                    if (!Check(mapping, item, ctx))
                    {
                        continue;
                    }
                    break;
                default:
                    ctx.Error(item, $"Unknown type {item.Value.Describe()} for mapping destination");
                    continue;
            }
            mappings.Add(mapping);
        }
        return mappings;
    }

    private static bool Check(MappingConfig mapping, ConfEntry item, BindContext ctx)
    {
        if (SubjectMappings.Problem(mapping) is { } problem)
        {
            ctx.Error(item, $"Error adding mapping for \"{item.Key}\" : {problem}");
            return false;
        }
        return true;
    }

    /// <summary>nats-server's <c>parseAccountMapDest</c>.</summary>
    private static MappingDestinationConfig? Destination(ConfValue value, BindContext ctx)
    {
        if (value is not ConfMap fields)
        {
            ctx.Error(value.Position, "Expected an entry for the mapping destination");
            return null;
        }
        string? subject = null;
        int? weight = null;
        string? cluster = null;
        foreach (var field in fields)
        {
            switch (field.Key.ToLowerInvariant())
            {
                case "dest" or "destination":
                    if (!ctx.TryString(field, out subject))
                    {
                        return null;
                    }
                    break;
                case "weight":
                    if (Weight(field, ctx) is not { } w)
                    {
                        return null;
                    }
                    weight = w;
                    break;
                case "cluster":
                    if (!ctx.TryString(field, out cluster))
                    {
                        return null;
                    }
                    break;
                default:
                    ctx.Error(field, $"Unknown field \"{field.Key}\" for mapping destination");
                    return null;
            }
        }
        if (weight is null)
        {
            ctx.Error(value.Position, $"Missing weight for mapping destination \"{subject}\"");
            return null;
        }
        return new MappingDestinationConfig { Subject = subject ?? "", Weight = weight.Value, Cluster = string.IsNullOrEmpty(cluster) ? null : cluster };
    }

    /// <summary>A weight: an integer or a string such as <c>40%</c>, 0 to 100.</summary>
    private static int? Weight(ConfEntry field, BindContext ctx)
    {
        long weight;
        switch (field.Value)
        {
            case ConfInteger integer:
                weight = integer.Value;
                break;
            case ConfString text:
                var digits = text.Value.EndsWith('%') ? text.Value[..^1] : text.Value;
                if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out weight))
                {
                    ctx.Error(field, $"Invalid weight \"{digits}\" for mapping destination");
                    return null;
                }
                break;
            default:
                ctx.Error(field, $"Unknown entry type for weight of {field.Value.Describe()}");
                return null;
        }
        if (weight is > 100 or < 0)
        {
            ctx.Error(field, $"Invalid weight {weight} for mapping destination");
            return null;
        }
        return (int)weight;
    }
}
