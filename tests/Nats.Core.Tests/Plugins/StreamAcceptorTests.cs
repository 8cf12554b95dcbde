using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;

namespace Nats.Core.Tests.Plugins;

/// <summary>
/// The stream acceptors (<see cref="NatsServer.RegisterStreamAcceptor"/>): one plugin per kind
/// takes streams another plugin's transport accepted (a WebSocket's /leafnode upgrade).
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class StreamAcceptorTests
{
    private static readonly ConnectionKind Kind = ConnectionKind.Register("StreamAcceptorTest", isClient: false);

    [Test]
    public async Task Without_an_acceptor_the_stream_is_left_to_the_transport()
    {
        await using var server = new NatsServer(new ServerOptions());
        using var stream = new MemoryStream();
        Assert.That(server.HasStreamAcceptor(Kind), Is.False);
        Assert.That(await server.AcceptStreamAsync(Kind, new AcceptedStream(stream, null)), Is.False);
        Assert.That(stream.CanRead, Is.True, "not disposed: the transport closes it its own way");
    }

    [Test]
    public async Task The_registered_acceptor_runs_the_stream_to_its_end()
    {
        await using var server = new NatsServer(new ServerOptions());
        AcceptedStream? seen = null;
        using var registration = server.RegisterStreamAcceptor(Kind, accepted =>
        {
            seen = accepted;
            return Task.CompletedTask;
        });
        var accepted = new AcceptedStream(new MemoryStream(), null) { Transport = "websocket" };
        Assert.That(server.HasStreamAcceptor(Kind), Is.True);
        Assert.That(await server.AcceptStreamAsync(Kind, accepted), Is.True);
        Assert.That(seen, Is.SameAs(accepted));
    }

    [Test]
    public async Task One_acceptor_per_kind_and_disposing_a_handle_withdraws_only_its_own()
    {
        await using var server = new NatsServer(new ServerOptions());
        var first = server.RegisterStreamAcceptor(Kind, _ => Task.CompletedTask);
        Assert.Throws<InvalidOperationException>(() => server.RegisterStreamAcceptor(Kind, _ => Task.CompletedTask));
        first.Dispose();
        Assert.That(server.HasStreamAcceptor(Kind), Is.False);
        using var second = server.RegisterStreamAcceptor(Kind, _ => Task.CompletedTask);
        first.Dispose();   // a stale handle does not remove its successor
        Assert.That(server.HasStreamAcceptor(Kind), Is.True);
    }

    [Test]
    public async Task An_acceptor_that_throws_has_its_stream_disposed()
    {
        await using var server = new NatsServer(new ServerOptions());
        using var registration = server.RegisterStreamAcceptor(Kind, _ => throw new InvalidOperationException("boom"));
        var stream = new MemoryStream();
        Assert.That(await server.AcceptStreamAsync(Kind, new AcceptedStream(stream, null)), Is.True);
        Assert.That(stream.CanRead, Is.False, "disposed");
    }
}
