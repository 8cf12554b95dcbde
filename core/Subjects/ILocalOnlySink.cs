namespace Nats.Core.Subjects;

/// <summary>
/// Marks a sink whose subscriptions are a local concern of this server (a stream import
/// feeding another account, say): they are not announced to other servers, and messages
/// that arrived from another server are not delivered to them, because the originating
/// server already handled them.
/// </summary>
public interface ILocalOnlySink : IMessageSink
{
}
