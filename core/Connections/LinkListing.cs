namespace Nats.Core.Connections;

/// <summary>
/// What monitoring shows of a listed link beyond what every connection has (see
/// <see cref="NatsServer.ListLink"/>): read when monitoring asks, from the monitoring thread.
/// </summary>
/// <param name="Name">The peer's name (a leaf's server name), or null.</param>
/// <param name="Subjects">The interest the peer holds here (its subscriptions' subjects).</param>
public sealed record LinkListing(string? Name, Func<IReadOnlyCollection<string>> Subjects);
