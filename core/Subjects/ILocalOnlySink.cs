namespace Nats.Core.Subjects;

/// <summary>
/// Marks a sink whose subscriptions are a local concern of this server (a stream import
/// feeding another account, JetStream's API, say): routes and gateways do not announce them,
/// and messages that arrived over a route or gateway are not delivered to them, because every
/// server of a cluster has the same ones and the originating server already handled them.
/// Leaf links do both (<see cref="LinkKind.ReachesLocalOnlySinks"/>): a leaf's clients use this
/// server's imports and JetStream as its own clients do, as in nats-server.
/// </summary>
public interface ILocalOnlySink : IMessageSink
{
}
