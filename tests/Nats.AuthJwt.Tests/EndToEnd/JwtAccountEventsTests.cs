using System.Text.Json;
using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// The <c>$SYS</c> connection events of a JWT account (<c>$SYS.ACCOUNT.&lt;id&gt;.CONNECT</c> and
/// <c>.DISCONNECT</c>), and a reload that would switch the resolver type: refused, naming the key,
/// with the running resolver and its clients untouched.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class JwtAccountEventsTests
{
    private static NatsConnection Client(string url, string creds, string? name = null) => new(NatsOpts.Default with
    {
        Url = url,
        Name = name ?? "",
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(15), // the shared machine is often loaded
    });

    [Test]
    public async Task A_jwt_accounts_users_connect_and_disconnect_events_go_out_on_SYS()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var key = account.Key.PublicKey;
        var user = setup.NewUser(account, "u");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account)));
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = await system.SubscribeCoreAsync<string>($"$SYS.ACCOUNT.{key}.>", cancellationToken: cts.Token);
        await system.PingAsync(cts.Token);

        await using (var client = Client(server.Url, user.CredsPath, "watched"))
        {
            await client.ConnectAsync();
            var connect = await NextAsync(events, $"$SYS.ACCOUNT.{key}.CONNECT", cts.Token);
            Assert.That(connect.GetProperty("type").GetString(), Is.EqualTo("io.nats.server.advisory.v1.client_connect"));
            Assert.That(connect.GetProperty("client").GetProperty("acc").GetString(), Is.EqualTo(key));
            Assert.That(connect.GetProperty("client").GetProperty("name").GetString(), Is.EqualTo("watched"));
        }
        var disconnect = await NextAsync(events, $"$SYS.ACCOUNT.{key}.DISCONNECT", cts.Token);
        Assert.That(disconnect.GetProperty("type").GetString(), Is.EqualTo("io.nats.server.advisory.v1.client_disconnect"));
        Assert.That(disconnect.GetProperty("client").GetProperty("acc").GetString(), Is.EqualTo(key));
    }

    [Test]
    public async Task A_reload_switching_the_resolver_type_is_refused_and_changes_nothing()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var port = FreePorts.Take();
        var memory = setup.MemoryConfig(port, setup.AccountJwt(account));
        await using var server = await JwtServer.StartAsync(memory);
        await using var connected = Client(server.Url, setup.NewUser(account, "before").CredsPath);
        await connected.ConnectAsync();

        var full = setup.FullResolverConfig(port, Path.Combine(setup.Directory, "jwt"));
        var refused = server.Server.Reload(JwtServer.Options(full));
        Assert.That(refused.Success, Is.False);
        Assert.That(string.Join("; ", refused.Errors), Does.Contain("resolver"));

        // The memory resolver is still the one in force: its preloaded account admits a new user.
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await connected.PingAsync(cts.Token);
        await using var after = Client(server.Url, setup.NewUser(account, "after").CredsPath);
        await after.ConnectAsync();
        Assert.That(after.ConnectionState, Is.EqualTo(NatsConnectionState.Open));
        Assert.That(Directory.Exists(Path.Combine(setup.Directory, "jwt")), Is.False, "no directory store was opened");
    }

    private static async Task<JsonElement> NextAsync(INatsSub<string> events, string subject, CancellationToken cancellationToken)
    {
        while (true)
        {
            var msg = await events.Msgs.ReadAsync(cancellationToken);
            if (msg.Subject == subject)
            {
                return JsonDocument.Parse(msg.Data!).RootElement.Clone();
            }
        }
    }
}
