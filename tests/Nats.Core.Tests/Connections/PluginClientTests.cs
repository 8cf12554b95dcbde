using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Core.Subjects;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// <see cref="NatsServer.OpenPluginClient"/>: a client a plugin runs without a stream (its
/// CONNECT, SUB and UNSUB are calls), as a protocol adapter stands for its own clients. The
/// host here is the test's, recording what the kernel hands it.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class PluginClientTests
{
    private static readonly ConnectionKind TestKind = ConnectionKind.Register("TestAdapter", connzType: "testadapter");
    private static readonly IPEndPoint Remote = new(IPAddress.Loopback, 40_001);

    private static AuthOptions Users(TimeSpan? timeout = null) => new()
    {
        Timeout = timeout ?? TimeSpan.FromSeconds(2),
        Users =
        [
            new UserConfig
            {
                Username = "u",
                Password = "p",
                Permissions = new PermissionsConfig { Subscribe = new SubjectPermissionConfig { Deny = ["secret.>"] } },
            },
        ],
    };

    private static byte[] Connect(string user, string password) =>
        Encoding.UTF8.GetBytes($"{{\"verbose\":false,\"headers\":true,\"user\":\"{user}\",\"pass\":\"{password}\",\"name\":\"adapter-1\"}}");

    [Test]
    public async Task It_logs_in_subscribes_and_publishes_with_port_clients_and_shows_with_its_kind()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = Users());
        var host = new RecordingHost();
        var client = server.Server.OpenPluginClient(host, Remote, TestKind);
        Assert.That(await client.ConnectFromPluginAsync(Connect("u", "p")), Is.Null);
        Assert.That((client.IsPluginClient, client.User, client.Options.Name), Is.EqualTo((true, "u", "adapter-1")));
        Assert.That(client.SubscribeFromPlugin("from.port"u8, default, "7"u8), Is.Null);

        await using var portClient = await server.ConnectAsync("{\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}");
        await portClient.SendAsync("SUB from.adapter 9\r\n" + Wire.Pub("from.port", "hello") + "PING\r\n");
        await portClient.ExpectLineAsync("PONG");
        await Eventually.TrueAsync(() => host.Delivered.Contains("7 from.port hello"), "the delivery to the plugin client");

        client.BeginPluginPublishes();
        Assert.That(client.PublishFromPlugin("from.adapter"u8, default, "back"u8), Is.True);
        await client.EndPluginPublishesAsync();
        await portClient.ExpectMsgAsync("from.adapter", "9", "back");

        var listed = server.Server.Clients.Single(c => ReferenceEquals(c.Kind, TestKind));
        Assert.That((listed, listed.SubscriptionCount, listed.InMessages, listed.OutMessages), Is.EqualTo((client, 1, 1L, 1L)));
        Assert.That(Nats.Core.Monitoring.ConnInfoBuilder.Build(listed, DateTime.UtcNow).Type, Is.EqualTo("testadapter"));

        client.UnsubscribeFromPlugin("7"u8);
        Assert.That(client.SubscriptionCount, Is.Zero);
        client.Close(ClosedReason.ClientClosed);
        Assert.That(host.Closed.Task.IsCompletedSuccessfully, Is.True, "the host hears the close at once");
        Assert.That(server.Server.Clients.Any(c => ReferenceEquals(c.Kind, TestKind)), Is.False);
        Assert.That(server.Server.ClosedClients.Any(c => c.Info.Type == "testadapter"), Is.True, "listed in /connz?state=closed");
    }

    [Test]
    public async Task A_refused_login_answers_with_the_error_and_closes_the_client()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = Users());
        var host = new RecordingHost();
        var client = server.Server.OpenPluginClient(host, Remote, TestKind);
        Assert.That(await client.ConnectFromPluginAsync(Connect("u", "wrong")), Is.EqualTo("Authorization Violation"));
        Assert.That(client.IsClosed, Is.True);
        Assert.That(await host.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo((ClosedReason.AuthenticationViolation, "Authorization Violation")));
    }

    [Test]
    public async Task A_subscription_its_permissions_refuse_answers_with_nats_servers_error()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = Users());
        var client = server.Server.OpenPluginClient(new RecordingHost(), Remote, TestKind);
        Assert.That(await client.ConnectFromPluginAsync(Connect("u", "p")), Is.Null);
        Assert.That(client.SubscribeFromPlugin("secret.x"u8, default, "1"u8), Is.EqualTo("Permissions Violation for Subscription to \"secret.x\""));
        Assert.That((client.SubscriptionCount, client.IsClosed), Is.EqualTo((0, false)));
    }

    [Test]
    public async Task Neither_the_auth_timer_nor_keep_alive_closes_it()
    {
        // The plugin owns its protocol's login deadline and keep-alive: a client opened long
        // before its login (here several auth timeouts and ping intervals) is still there.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Auth = Users(TimeSpan.FromMilliseconds(200));
            o.PingInterval = TimeSpan.FromMilliseconds(100);
            o.MaxPingsOut = 1;
        });
        var host = new RecordingHost();
        var client = server.Server.OpenPluginClient(host, Remote, TestKind);
        // A port client on the same server shows the timer runs: it is closed meanwhile.
        await using var portClient = await server.ConnectRawAsync();
        Assert.That(await portClient.ReadUntilClosedAsync(), Does.Contain("-ERR 'Authentication Timeout'"));
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.That(await client.ConnectFromPluginAsync(Connect("u", "p")), Is.Null, "the login after the auth timeout is accepted");
        await Task.Delay(TimeSpan.FromMilliseconds(600));
        Assert.That((client.IsClosed, host.Closed.Task.IsCompleted), Is.EqualTo((false, false)), "not closed as stale");
        client.Close(ClosedReason.ClientClosed);
    }

    [Test]
    public async Task A_close_by_the_kernel_reaches_the_host_with_its_reason()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = Users());
        var host = new RecordingHost();
        var client = server.Server.OpenPluginClient(host, Remote, TestKind);
        Assert.That(await client.ConnectFromPluginAsync(Connect("u", "p")), Is.Null);
        client.Revoke();
        Assert.That(await host.Closed.Task.WaitAsync(TimeSpan.FromSeconds(5)), Is.EqualTo((ClosedReason.Revocation, "User Authentication Revoked")));
    }

    [Test]
    public async Task At_max_connections_it_comes_back_closed_and_its_login_says_why()
    {
        await using var server = await TestServer.StartAsync(o => o.MaxConnections = 1);
        await using var portClient = await server.ConnectAsync();
        var host = new RecordingHost();
        var client = server.Server.OpenPluginClient(host, Remote, TestKind);
        Assert.That(client.IsClosed, Is.True);
        Assert.That(await client.ConnectFromPluginAsync("{}"u8.ToArray()), Is.EqualTo("maximum connections exceeded"));
        Assert.That(server.Server.Clients.Any(c => ReferenceEquals(c.Kind, TestKind)), Is.False);
    }

    [Test]
    public async Task A_client_with_a_stream_is_not_a_plugin_client()
    {
        await using var server = await TestServer.StartAsync();
        await using var portClient = await server.ConnectAsync();
        var connection = server.Server.Clients.Single();
        Assert.That(connection.IsPluginClient, Is.False);
        Assert.Throws<InvalidOperationException>(() => connection.ConnectFromPluginAsync("{}"u8));
    }

    /// <summary>Records what the kernel hands the plugin.</summary>
    private sealed class RecordingHost : IPluginClientHost
    {
        public ConcurrentQueue<string> Delivered { get; } = new();

        public ConcurrentQueue<string> Errors { get; } = new();

        public TaskCompletionSource<(ClosedReason, string?)> Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Deliver(ReadOnlySpan<byte> sid, in MessageView message)
        {
            Delivered.Enqueue($"{Encoding.UTF8.GetString(sid)} {Encoding.UTF8.GetString(message.Subject)} {Encoding.UTF8.GetString(message.Payload)}");
            return true;
        }

        public void OnError(string text) => Errors.Enqueue(text);

        public void OnClosed(ClosedReason reason, string? error) => Closed.TrySetResult((reason, error));
    }
}
