namespace Nats.Core.Config;

/// <summary>One <c>key: value</c> of a <see cref="ConfMap"/>, with where the key was written.</summary>
/// <param name="Key">The key as spelled in the file (quotes removed).</param>
/// <param name="KeyPosition">Where the key starts; nats-server reports options at this position.</param>
/// <param name="Value">The value.</param>
public sealed record ConfEntry(string Key, ConfPosition KeyPosition, ConfValue Value);
