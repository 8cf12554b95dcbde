using System.Diagnostics;
using Nats.Core.Config;
using Nats.TestSupport;
using static Nats.Core.Tests.Auth.AuthSupport;

namespace Nats.Core.Tests.Auth;

/// <summary>no_auth_user, and the authentication timeout for clients that never log in.</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class NoAuthUserAndTimeoutTests
{
    private static readonly TimeSpan AuthTimeout = TimeSpan.FromMilliseconds(300);

    private static AuthOptions TwoAccounts(string? noAuthUser) => new()
    {
        Accounts = [new AccountConfig { Name = "A" }, new AccountConfig { Name = "B" }],
        Users =
        [
            new UserConfig { Username = "a", Password = "pa", Account = "A" },
            new UserConfig { Username = "b", Password = "pb", Account = "B" },
        ],
        NoAuthUser = noAuthUser,
        Timeout = AuthTimeout,
    };

    [Test]
    public async Task InfoSaysNoAuthIsRequired()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts("a"));
        await using var client = await server.ConnectRawAsync();
        Assert.That(client.Info.TryGetProperty("auth_required", out var required) && required.GetBoolean(), Is.False);
    }

    [TestCase("CONNECT {\"verbose\":false}\r\nPING\r\n")]
    [TestCase("PING\r\n")]
    public async Task ClientWithoutCredentialsLandsInTheNoAuthUsersAccount(string greeting)
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts("a"));
        await using var inA = await server.ConnectAsync(Connect(new { user = "a", pass = "pa" }));
        await using var inB = await server.ConnectAsync(Connect(new { user = "b", pass = "pb" }));
        await inA.SendAsync("SUB foo 1\r\n");
        await inA.PingAsync();
        await inB.SendAsync("SUB foo 1\r\n");
        await inB.PingAsync();

        await using var anonymous = await server.ConnectRawAsync();
        await anonymous.SendAsync(greeting);
        await anonymous.ExpectLineAsync("PONG");
        await anonymous.SendAsync("PUB foo 4\r\nanon\r\nPING\r\n");
        var rest = await anonymous.ReadLineAsync();
        // Without CONNECT the defaults apply, verbose included: the PUB is acknowledged.
        if (greeting.StartsWith("PING", StringComparison.Ordinal))
        {
            Assert.That(rest, Is.EqualTo("+OK"));
            rest = await anonymous.ReadLineAsync();
        }
        Assert.That(rest, Is.EqualTo("PONG"));

        await inA.ExpectMsgAsync("foo", "1", "anon");
        await inB.PingAsync(); // account B saw nothing
        Assert.That(server.Server.Clients.Single(c => c.Id == Id(anonymous)).Account.Name, Is.EqualTo("A"));
    }

    [TestCase("ghost")]
    [TestCase("A")]
    public void NoAuthUserThatIsNotAConfiguredUserIsAConfigurationError(string name)
    {
        // nats-server refuses to start: no_auth_user "ghost" not present as user or nkey.
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1, Auth = TwoAccounts(name) };
        var error = Assert.Throws<Nats.Core.Config.ConfigurationException>(() => _ = new NatsServer(options));
        Assert.That(error!.Message, Does.Contain("no_auth_user").And.Contain(name));
    }

    [Test]
    public void NoAuthUserWithoutAnyUsersIsAConfigurationError()
    {
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1, Auth = new AuthOptions { NoAuthUser = "a", Token = "t" } };
        Assert.Throws<Nats.Core.Config.ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public async Task WrongCredentialsAreStillRefused()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts("a"));
        await ExpectRefusedAsync(server, Connect(new { user = "b", pass = "wrong" }));
        await ExpectRefusedAsync(server, Connect(new { user = "nobody", pass = "x" }));
    }

    [Test]
    public async Task IdleClientIsClosedAfterTheAuthTimeoutEvenWithANoAuthUser()
    {
        // As nats-server: the no_auth_user waives credentials, not the CONNECT deadline.
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts("a"));
        await using var client = await server.ConnectRawAsync();
        await client.ExpectErrAndCloseAsync("Authentication Timeout");
    }

    [Test]
    public async Task HalfOpenConnectionIsClosedAfterTheAuthTimeout()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts(null));
        var stopwatch = Stopwatch.StartNew();
        await using var client = await server.ConnectRawAsync();
        await client.ExpectErrAndCloseAsync("Authentication Timeout");
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(AuthTimeout - TimeSpan.FromMilliseconds(20)).And.LessThan(TimeSpan.FromSeconds(15)));
        await server.AssertHealthyAsync(Connect(new { user = "a", pass = "pa" }));
    }

    [Test]
    public async Task PartialConnectDoesNotStopTheAuthTimeout()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts(null));
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync("CONNECT {\"user\":\"a\",\"pa");
        await client.ExpectErrAndCloseAsync("Authentication Timeout");
    }

    [Test]
    public async Task ManyHalfOpenConnectionsAreAllReaped()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts(null));
        var clients = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => server.ConnectRawAsync()));
        await server.AssertHealthyAsync(Connect(new { user = "a", pass = "pa" }));
        foreach (var client in clients)
        {
            await client.ExpectErrAndCloseAsync("Authentication Timeout");
            await client.DisposeAsync();
        }
        await TestServer.WaitUntilAsync(() => server.Server.Clients.Count == 0, "every half-open connection to be gone");
    }

    [Test]
    public async Task ClientThatLoggedInIsNotClosedByTheAuthTimer()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = TwoAccounts(null));
        await using var client = await server.ConnectAsync(Connect(new { user = "a", pass = "pa" }));
        await Task.Delay(AuthTimeout * 2);
        await client.PingAsync();
    }

    [Test]
    public async Task WithoutAuthAnIdleClientIsNotTimedOut()
    {
        await using var server = await TestServer.StartAsync(o => o.Auth = new AuthOptions { Timeout = AuthTimeout });
        await using var client = await server.ConnectRawAsync();
        await Task.Delay(AuthTimeout * 2);
        await client.SendAsync("CONNECT {\"verbose\":false}\r\n");
        await client.PingAsync();
    }

    private static ulong Id(RawClient client) => client.Info.GetProperty("client_id").GetUInt64();
}
