using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.TestSupport;
using static Nats.Core.Tests.Accounts.Definitions;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// User limits from the authenticator and account limits, enforced on real clients with
/// nats-server's errors.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class AccountLimitsTests
{
    private NatsServer _server = null!;
    private AccountFromUserAuthenticator _authenticator = null!;

    [SetUp]
    public async Task StartServer()
    {
        _server = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = -1 });
        _authenticator = new AccountFromUserAuthenticator();
        _server.AddAuthenticator(_authenticator);
        await _server.StartAsync();
    }

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private Task<RawClient> LoginAsync(string user) => RawClient.ConnectAndHandshakeAsync(_server.Port, Login(user));

    [Test]
    public async Task An_account_at_max_connections_refuses_the_next_client()
    {
        _server.Accounts.Register(new AccountConfig { Name = "A", Limits = new AccountLimits { MaxConnections = 2 } });
        await using var first = await LoginAsync("A/1");
        await using var second = await LoginAsync("A/2");

        await using var third = await RawClient.ConnectAsync(_server.Port);
        await third.SendAsync($"CONNECT {Login("A/3")}\r\nPING\r\n");
        await third.ExpectErrAndCloseAsync("maximum account active connections exceeded");
        Assert.That(_server.Accounts.Find("A")!.ConnectionCount, Is.EqualTo(2));
        Assert.That(await RawClient.TryLoginAsync(_server.Port, "B/1", "x"), Is.Not.EqualTo("-ERR 'maximum account active connections exceeded'"));

        // A slot freed by a client leaving is taken by the next.
        await first.DisposeAsync();
        await TestServer.WaitUntilAsync(() => _server.Accounts.Find("A")!.ConnectionCount == 1, "the first client's slot is released");
        await using var fourth = await LoginAsync("A/4");
    }

    [Test]
    public async Task Lowering_max_connections_keeps_the_newest_clients()
    {
        // nats-server 2.9.10's updateAccountClaimsWithRefresh: clients sorted newest first, those
        // past the new limit closed (Nats.AuthJwt.Tests AccountLimitsTests runs it against nats-server).
        _server.Accounts.Register(new AccountConfig { Name = "A" });
        await using var oldest = await LoginAsync("A/1");
        await Task.Delay(20);
        await using var newest = await LoginAsync("A/2");

        _server.Accounts.Update(new AccountConfig { Name = "A", Limits = new AccountLimits { MaxConnections = 1 } });

        await oldest.ExpectErrAndCloseAsync("maximum account active connections exceeded");
        await newest.PingAsync();
    }

    [Test]
    public async Task A_user_at_max_subscriptions_gets_an_error_and_keeps_the_connection()
    {
        _authenticator.Limits["A/u"] = new UserLimits { MaxSubscriptions = 2 };
        _server.Accounts.Register(new AccountConfig { Name = "A" });
        await using var client = await LoginAsync("A/u");
        await client.SendAsync("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\n");
        await client.ExpectErrAsync("maximum subscriptions exceeded");
        await client.PingAsync();
        Assert.That(_server.Accounts.Find("A")!.Sublist.Count, Is.EqualTo(2 + 4), "2 and the 4 system imports");
    }

    [Test]
    public async Task The_account_limit_applies_when_it_is_lower_than_the_user_limit()
    {
        _authenticator.Limits["A/u"] = new UserLimits { MaxSubscriptions = 5 };
        _server.Accounts.Register(new AccountConfig { Name = "A", Limits = new AccountLimits { MaxSubscriptions = 1 } });
        await using var client = await LoginAsync("A/u");
        await client.SendAsync("SUB a 1\r\nSUB b 2\r\n");
        await client.ExpectErrAsync("maximum subscriptions exceeded");

        // Raised live: the account update reaches the connected client.
        _server.Accounts.Update(new AccountConfig { Name = "A", Limits = new AccountLimits { MaxSubscriptions = 3 } });
        await client.SendAsync("SUB b 2\r\n");
        await client.PingAsync();
        Assert.That(client.Socket.Connected, Is.True);
    }

    [Test]
    public async Task A_user_max_payload_is_announced_in_INFO_after_the_first_PONG_and_enforced()
    {
        _authenticator.Limits["A/u"] = new UserLimits { MaxPayload = 8 };
        _server.Accounts.Register(new AccountConfig { Name = "A" });
        await using var client = await RawClient.ConnectAsync(_server.Port);
        Assert.That(client.Info.GetProperty("max_payload").GetInt32(), Is.EqualTo(1024 * 1024), "before CONNECT the server's own");

        // nats-server 2.9.10's processPing: PONG first (clients expect it), then the INFO.
        await client.SendAsync($"CONNECT {Login("A/u")}\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");
        var info = await client.ReadLineAsync();
        Assert.That(info, Does.StartWith("INFO "));
        Assert.That(System.Text.Json.JsonDocument.Parse(info[5..]).RootElement.GetProperty("max_payload").GetInt32(), Is.EqualTo(8));

        await client.SendAsync(Wire.Pub("x", "12345678"));
        await client.PingAsync();
        await client.SendAsync(Wire.Pub("x", "123456789"));
        await client.ExpectErrAndCloseAsync("Maximum Payload Violation");
    }

    [Test]
    public async Task A_client_without_lower_limits_gets_no_extra_INFO()
    {
        _server.Accounts.Register(new AccountConfig { Name = "A" });
        await using var client = await RawClient.ConnectAsync(_server.Port);
        await client.SendAsync($"CONNECT {Login("A/u")}\r\nPING\r\n");
        await client.ExpectLineAsync("PONG");
    }
}
