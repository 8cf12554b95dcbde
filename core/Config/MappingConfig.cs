namespace Nats.Core.Config;

/// <summary>
/// A subject mapping (<c>mappings { "src": "dest" }</c> at top level or in an account, or a JWT
/// account's <c>mappings</c>): messages published on <see cref="Source"/> go to one of the
/// destinations, picked by weight.
/// </summary>
public sealed class MappingConfig
{
    /// <summary>The subject (or pattern) messages are published on.</summary>
    public required string Source { get; set; }

    /// <summary>Where they go; weights per cluster add up to at most 100 (the rest keeps the subject).</summary>
    public List<MappingDestinationConfig> Destinations { get; set; } = [];
}

/// <summary>One destination of a <see cref="MappingConfig"/>.</summary>
public sealed class MappingDestinationConfig
{
    /// <summary>The destination subject, with nats-server's transform functions (<c>$1</c>, <c>{{partition(3,1)}}</c>…).</summary>
    public required string Subject { get; set; }

    /// <summary>Percent of the messages that go here (0–100).</summary>
    public int Weight { get; set; } = 100;

    /// <summary>When set, the destination applies only on servers of this cluster.</summary>
    public string? Cluster { get; set; }
}
