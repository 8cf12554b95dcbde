using System.Net;
using System.Net.Sockets;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// <see cref="NatsServer.ServeClientAsync"/>: the kernel's client protocol over a stream a
/// plugin hands in. Here the "plugin" is a bare TCP listener of the test that passes on only
/// the stream (no socket), which is what a WebSocket or pipe transport gives the kernel.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class StreamClientTests
{
    private static readonly ConnectionKind PipeKind = StreamListener.PipeKind;

    [Test]
    public async Task AStreamClientPublishesAndSubscribesWithPortClientsAndShowsWithItsKind()
    {
        await using var server = await TestServer.StartAsync();
        using var listener = new StreamListener(server.Server, new ClientListenerOptions { LogPrefix = "pipe" });
        await using var streamClient = await RawClient.ConnectAndHandshakeAsync(listener.Port);
        await using var portClient = await server.ConnectAsync();

        await streamClient.SendAsync("SUB from.port 1\r\nPING\r\n");
        await streamClient.ExpectLineAsync("PONG");
        await portClient.SendAsync("SUB from.stream 9\r\n" + Wire.Pub("from.port", "hello") + "PING\r\n");
        await portClient.ExpectLineAsync("PONG");
        await streamClient.ExpectMsgAsync("from.port", "1", "hello");
        await streamClient.SendAsync(Wire.Pub("from.stream", "back") + "PING\r\n");
        await streamClient.ExpectLineAsync("PONG");
        await portClient.ExpectMsgAsync("from.stream", "9", "back");

        var connection = server.Server.Clients.Single(c => ReferenceEquals(c.Kind, PipeKind));
        Assert.That(connection.RemoteEndPoint!.Address, Is.EqualTo(IPAddress.Loopback));
        Assert.That(connection.ToString(), Does.StartWith("pipe - 127.0.0.1:"));
        var info = Nats.Core.Monitoring.ConnInfoBuilder.Build(connection, DateTime.UtcNow);
        Assert.That(info.Type, Is.EqualTo("testpipe"));
        Assert.That(info.Kind, Is.EqualTo("Client"));

        await streamClient.DisposeAsync();
        await Eventually.TrueAsync(() => !server.Server.Clients.Any(c => ReferenceEquals(c.Kind, PipeKind)), "the closed stream client is gone");
        Assert.That(server.Server.ClosedClients.Any(c => c.Info.Type == "testpipe"), Is.True, "listed in /connz?state=closed");
    }

    [Test]
    public async Task MaxConnectionsCountsStreamClients()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxConnections = 1);
        using var listener = new StreamListener(server.Server, ClientListenerOptions.Plain);
        await using var portClient = await server.ConnectAsync();
        await using var streamClient = await RawClient.ConnectAsync(listener.Port);
        await streamClient.ExpectErrAsync("maximum connections exceeded");
    }

    [Test]
    public async Task AListenerHasItsOwnNoAuthUser()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "guest", Password = "g" }, new UserConfig { Username = "admin", Password = "a" }],
        });
        using var listener = new StreamListener(server.Server, new ClientListenerOptions { NoAuthUser = "guest" });
        await using var streamClient = await RawClient.ConnectAsync(listener.Port);
        Assert.That(streamClient.Info.TryGetProperty("auth_required", out _), Is.False, "no credentials needed on this listener");
        await streamClient.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n");
        await streamClient.ExpectLineAsync("PONG");
        Assert.That(server.Server.Clients.Single(c => ReferenceEquals(c.Kind, PipeKind)).User, Is.EqualTo("guest"));

        // The client port keeps the server's rule: no credentials, no entry.
        Assert.That(await RawClient.TryLoginAsync(server.Port, null, null), Does.Contain("Authorization Violation"));
    }

    [Test]
    public async Task ALameDuckServerTakesNoStreamClients()
    {
        await using var server = await TestServer.StartAsync(o => o.LameDuckDuration = TimeSpan.FromSeconds(30));
        await using var portClient = await server.ConnectAsync();
        using var listener = new StreamListener(server.Server, ClientListenerOptions.Plain);
        _ = server.Server.EnterLameDuckModeAsync();
        await Eventually.TrueAsync(() => server.Server.IsLameDuck, "lame duck");
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, listener.Port);
        var buffer = new byte[256];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.That(await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token), Is.Zero, "closed without INFO");
    }

    [Test]
    public async Task ConnectDefaultsFillOnlyTheCredentialsTheConnectLeavesEmpty()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions
        {
            Users = [new UserConfig { Username = "alice", Password = "a" }, new UserConfig { Username = "bob", Password = "b" }],
        });
        var options = new ClientListenerOptions { ConnectDefaults = new ConnectDefaults { Username = "alice", Password = "a" } };
        using var listener = new StreamListener(server.Server, options);

        await using (var implicitAlice = await RawClient.ConnectAsync(listener.Port))
        {
            await implicitAlice.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n");
            await implicitAlice.ExpectLineAsync("PONG");
            Assert.That(server.Server.Clients.Single(c => ReferenceEquals(c.Kind, PipeKind)).User, Is.EqualTo("alice"));
        }
        Assert.That(await RawClient.TryLoginAsync(listener.Port, "bob", "b"), Is.EqualTo("PONG"), "the CONNECT's own credentials win");
        Assert.That(await RawClient.TryLoginAsync(listener.Port, "alice", "wrong"), Does.Contain("Authorization Violation"), "a CONNECT password is not replaced");
        Assert.That(await RawClient.TryLoginAsync(server.Port, null, null), Does.Contain("Authorization Violation"), "other listeners are unaffected");
    }

    /// <summary>A pass-through stream that records the close reason the kernel hands it, and whether that came before disposal.</summary>
    private sealed class CloseAwareStream(Stream inner) : Stream, IConnectionCloseAware
    {
        public readonly TaskCompletionSource<(ClosedReason Reason, bool BeforeDispose)> Closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _disposed;

        public void OnConnectionClosing(ClosedReason reason) => Closing.TrySetResult((reason, !_disposed));
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);
        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            Closing.TrySetResult((ClosedReason.None, false));
            inner.Dispose();
            base.Dispose(disposing);
        }
    }

    [Test]
    public async Task ACloseAwareTransportLearnsTheCloseReasonBeforeItIsDisposed()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Username = "u", Password = "p" });
        CloseAwareStream? transport = null;
        using var listener = new StreamListener(server.Server, ClientListenerOptions.Plain, inner => transport = new CloseAwareStream(inner));
        Assert.That(await RawClient.TryLoginAsync(listener.Port, "u", "wrong"), Does.Contain("Authorization Violation"));
        await Eventually.TrueAsync(() => transport is not null, "the listener wrapped the stream");
        var (reason, beforeDispose) = await transport!.Closing.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(reason, Is.EqualTo(ClosedReason.AuthenticationViolation));
        Assert.That(beforeDispose, Is.True);
    }
}
