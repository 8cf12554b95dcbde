using Nats.Core.Accounts;
using Nats.Core.Plugins;

namespace Nats.Core.SystemServices;

/// <summary>
/// The system services' internal client in the system account: the one place where they
/// subscribe and publish (today through the in-process connection, whose subscriptions
/// propagate to routes like any client's, so a PING reaches every server of a cluster and the
/// answers travel back over routes). Everything else in this folder speaks only to this class.
/// </summary>
internal sealed class SystemClient : IAsyncDisposable
{
    private readonly IInProcessConnection _connection;
    private int _closed;

    public SystemClient(NatsServer server, Account account)
    {
        _connection = server.ConnectInProcess(account);
    }

    /// <summary>A delivered message: subject, reply, headers, payload.</summary>
    public delegate ValueTask Handler(string subject, string? reply, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload);

    public IDisposable Subscribe(string subject, Handler handler) =>
        _connection.Subscribe(subject, null, message => handler(message.Subject, message.Reply, message.Headers, message.Payload));

    /// <summary>Publishes; after <see cref="DisposeAsync"/> (shutdown) messages are dropped.</summary>
    public void Publish(string subject, ReadOnlySpan<byte> payload, string? reply = null)
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return;
        }
        try
        {
            _connection.Publish(subject, payload, reply);
        }
        catch (ObjectDisposedException)
        {
            // Shutdown raced the publish: events of a stopping server are best effort.
        }
    }

    public ValueTask DisposeAsync()
    {
        Volatile.Write(ref _closed, 1);
        return _connection.DisposeAsync();
    }
}
