using System.Collections.Concurrent;
using System.Text;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// Auth callout (config mode) as a link of the chain whose place is configurable
/// (<c>authorization { chain: [...] }</c>), and a connected callout user checked again (a reload
/// re-authorizes every client) keeping the service's grant without the service being asked again.
/// The service admits each user's password once (a one-time credential), so asking again would
/// show as a refusal.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class CalloutChainTests
{
    private static NatsConnection Client(int port, string user, string pass) => new(NatsOpts.Default with
    {
        Url = $"nats://127.0.0.1:{port}",
        AuthOpts = NatsAuthOpts.Default with { Username = user, Password = pass },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    });

    private static string Config(int port, string issuer, string chain) => $$"""
        host: 127.0.0.1
        port: {{port}}
        accounts {
          AUTH { users: [ { user: auth, password: pwd } ] }
          APP { users: [ { user: alice, password: wonderland } ] }
          OTHER { }
        }
        authorization {
          {{chain}}
          auth_callout { issuer: {{issuer}}, auth_users: [ auth ], account: AUTH }
        }
        """;

    /// <summary>The callout service: admits bob, dave and alice (with password "from-callout") once each, into APP.</summary>
    private sealed class OneTimeService(NKeyPair issuer) : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new(TimeSpan.FromSeconds(50));
        private NatsConnection? _connection;
        private Task? _serving;

        public ConcurrentQueue<string> Asked { get; } = new();

        public async Task StartAsync(int port)
        {
            _connection = Client(port, "auth", "pwd");
            var subscription = await _connection.SubscribeCoreAsync<byte[]>("$SYS.REQ.USER.AUTH", cancellationToken: _cts.Token);
            _serving = Task.Run(async () =>
            {
                await foreach (var msg in subscription.Msgs.ReadAllAsync(_cts.Token))
                {
                    var request = JwtCodec.DecodeAuthorizationRequestClaims(Encoding.ASCII.GetString(msg.Data!));
                    var connect = request.Nats.ConnectOptions;
                    var name = connect.Username ?? "";
                    var firstTime = !Asked.Contains(name);
                    Asked.Enqueue(name);
                    var response = new AuthorizationResponseClaims { Subject = request.Nats.UserNKey, Audience = request.Nats.Server.Id };
                    if (firstTime && name is "bob" or "dave" && connect.Password == "builder" || firstTime && name == "alice" && connect.Password == "from-callout")
                    {
                        var user = UserClaims.Create(request.Nats.UserNKey);
                        user.Name = name;
                        user.Audience = "APP";
                        user.Nats.Pub = new Permission { Allow = ["chat.>", "_INBOX.>"] };
                        response.Nats.Jwt = JwtCodec.Encode(user, issuer);
                    }
                    else
                    {
                        response.Nats.Error = firstTime ? "unknown user" : "credential already used";
                    }
                    await msg.ReplyAsync(Encoding.ASCII.GetBytes(JwtCodec.Encode(response, issuer)), cancellationToken: _cts.Token);
                }
            }, _cts.Token);
            await _connection.PingAsync(_cts.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            if (_serving is not null)
            {
                await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
            }
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
            _cts.Dispose();
        }
    }

    [Test]
    public async Task A_reauthorized_callout_user_keeps_its_grant_and_the_service_is_not_asked_again()
    {
        using var issuer = NKeyPair.Create(NKeyPrefix.Account);
        var port = FreePorts.Take();
        await using var server = await JwtServer.StartAsync(Config(port, issuer.PublicKey, ""));
        await using var service = new OneTimeService(issuer);
        await service.StartAsync(port);

        await using var bob = Client(port, "bob", "builder");
        await bob.ConnectAsync();
        Assert.That(service.Asked, Is.EqualTo(new[] { "bob" }));

        // A reload re-authorizes every client (nats-server's reload does too): bob's grant stands.
        server.Server.ReauthorizeClients();
        // Bob's check again ran up to the callout link synchronously; a later connect is asked after it would have been.
        await using var dave = Client(port, "dave", "builder");
        await dave.ConnectAsync();
        Assert.That(service.Asked, Is.EqualTo(new[] { "bob", "dave" }), "the service was asked only for the new connection");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await bob.PingAsync(cts.Token);
        Assert.That(server.Server.Clients.Single(c => c.User == "bob").Account.Name, Is.EqualTo("APP"));

        // A grant whose account is gone is withdrawn on the next check (a reload removing APP).
        var withoutApp = Config(port, issuer.PublicKey, "").Replace("APP { users: [ { user: alice, password: wonderland } ] }", "");
        Assert.That(withoutApp, Does.Not.Contain("APP"));
        var reloaded = server.Server.Reload(JwtServer.Options(withoutApp));
        Assert.That(reloaded.Success, Is.True, string.Join("; ", reloaded.Errors));
        await Eventually.TrueAsync(() => bob.ConnectionState != NatsConnectionState.Open && dave.ConnectionState != NatsConnectionState.Open,
            "the callout users placed in APP are disconnected", TimeSpan.FromSeconds(15));
    }

    [Test]
    public async Task The_chain_order_is_configurable_and_callout_first_is_nats_servers_behaviour()
    {
        using var issuer = NKeyPair.Create(NKeyPrefix.Account);
        var port = FreePorts.Take();
        // Callout first: as in nats-server, configured users other than the auth_users go to the service.
        await using var server = await JwtServer.StartAsync(Config(port, issuer.PublicKey, "chain: [ auth_callout ]"));
        Assert.That(server.Server.Auth.Names, Is.EqualTo(new[] { "auth_callout", "tls-map", "user" }));
        await using var service = new OneTimeService(issuer);
        await service.StartAsync(port);

        await using (var configured = await RawClient.ConnectAsync(port))
        {
            await configured.SendAsync("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"wonderland\"}\r\nPING\r\n");
            await configured.ExpectErrAndCloseAsync("Authorization Violation");
        }
        Assert.That(service.Asked, Is.EqualTo(new[] { "alice" }), "the configured user went to the service first");
        await using (var viaService = Client(port, "alice", "from-callout"))
        {
            Assert.That(async () => await viaService.ConnectAsync(), Throws.Exception, "one-time credential already used");
        }

        // Back to the default order by reload: the configured user authenticates as configured.
        var reloaded = server.Server.Reload(JwtServer.Options(Config(port, issuer.PublicKey, "")));
        Assert.That(reloaded.Success, Is.True, string.Join("; ", reloaded.Errors));
        Assert.That(server.Server.Auth.Names, Is.EqualTo(new[] { "tls-map", "user", "auth_callout" }));
        await using var alice = Client(port, "alice", "wonderland");
        await alice.ConnectAsync();
        Assert.That(service.Asked, Has.Count.EqualTo(2));

        // A name that is no authenticator in force is refused, naming those that are.
        var refused = server.Server.Reload(JwtServer.Options(Config(port, issuer.PublicKey, "chain: [ auth_callout, token ]")));
        Assert.That(refused.Success, Is.False);
        Assert.That(string.Join("; ", refused.Errors), Does.Contain("authorization chain names \"token\", which is not an authenticator in force (in force: tls-map, user, auth_callout)"));

        // The same at start: the server does not start.
        await using var misconfigured = new Nats.Core.NatsServer(JwtServer.Options(Config(-1, issuer.PublicKey, "chain: [ jwt ]")));
        misconfigured.AddPlugin(new Plugin.AuthJwtPlugin());
        Assert.That(async () => await misconfigured.StartAsync(), Throws.InstanceOf<Nats.Core.Config.ConfigurationException>()
            .With.Message.Contains("authorization chain names \"jwt\""));
    }
}
