using System.Text;
using NATS.Client.Core;
using Nats.AuthJwt.Callout;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// Auth callout (ADR-26) as one link of the chain: a responder service (NATS.Net, one of the
/// <c>auth_users</c>) decides on clients the configured users don't cover; configured users still
/// authenticate without it. Plain and xkey-sealed.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AuthCalloutTests
{
    private static NatsConnection Client(int port, string user, string pass) => new(NatsOpts.Default with
    {
        Url = $"nats://127.0.0.1:{port}",
        AuthOpts = NatsAuthOpts.Default with { Username = user, Password = pass },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    [TestCase(false)]
    [TestCase(true)]
    public async Task The_service_admits_its_users_into_their_account_and_configured_users_bypass_it(bool sealedWithXKey)
    {
        using var issuer = NKeyPair.Create(NKeyPrefix.Account);
        using var serviceXKey = XKeyPair.Create();
        var port = FreePorts.Take();
        var xkeyLine = sealedWithXKey ? $"xkey: {serviceXKey.PublicKey}" : "";
        await using var server = await JwtServer.StartAsync($$"""
            host: 127.0.0.1
            port: {{port}}
            accounts {
              AUTH { users: [ { user: auth, password: pwd } ] }
              APP { users: [ { user: alice, password: wonderland } ] }
            }
            authorization {
              auth_callout { issuer: {{issuer.PublicKey}}, auth_users: [ auth ], account: AUTH, {{xkeyLine}} }
            }
            """);

        var requests = 0;
        await using var service = Client(port, "auth", "pwd");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await using var subscription = await service.SubscribeCoreAsync<byte[]>("$SYS.REQ.USER.AUTH", cancellationToken: cts.Token);
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in subscription.Msgs.ReadAllAsync(cts.Token))
            {
                Interlocked.Increment(ref requests);
                var serverXKey = msg.Headers?["Nats-Server-Xkey"].ToString();
                var body = sealedWithXKey ? serviceXKey.Open(msg.Data, serverXKey!) : msg.Data!;
                var request = JwtCodec.DecodeAuthorizationRequestClaims(Encoding.ASCII.GetString(body));
                var response = new AuthorizationResponseClaims { Subject = request.Nats.UserNKey, Audience = request.Nats.Server.Id };
                var connect = request.Nats.ConnectOptions;
                if (connect.Username == "bob" && connect.Password == "builder")
                {
                    var user = UserClaims.Create(request.Nats.UserNKey);
                    user.Name = "bob";
                    user.Audience = "APP";
                    user.Nats.Pub = new Permission { Allow = ["chat.>", "_INBOX.>"] };
                    response.Nats.Jwt = JwtCodec.Encode(user, issuer);
                }
                else
                {
                    response.Nats.Error = "unknown user";
                }
                var answer = Encoding.ASCII.GetBytes(JwtCodec.Encode(response, issuer));
                await msg.ReplyAsync(sealedWithXKey ? serviceXKey.Seal(answer, serverXKey!) : answer, cancellationToken: cts.Token);
            }
        }, cts.Token);
        await service.PingAsync(cts.Token);

        await using var alice = Client(port, "alice", "wonderland");
        await alice.ConnectAsync();
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(0), "a configured user is not sent to the callout");

        await using var bob = Client(port, "bob", "builder");
        await bob.ConnectAsync();
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(1));
        Assert.That(server.Server.Clients.Single(c => c.User == "bob").Account.Name, Is.EqualTo("APP"));

        // bob and alice share APP; bob's JWT permissions apply.
        await using var chat = await alice.SubscribeCoreAsync<string>("chat.>", cancellationToken: cts.Token);
        await alice.PingAsync(cts.Token);
        await bob.PublishAsync("chat.hello", "hi alice", cancellationToken: cts.Token);
        Assert.That((await chat.Msgs.ReadAsync(cts.Token)).Data, Is.EqualTo("hi alice"));

        await using var mallory = await RawClient.ConnectAsync(port);
        await mallory.SendAsync("CONNECT {\"verbose\":false,\"user\":\"mallory\",\"pass\":\"x\"}\r\nPING\r\n");
        await mallory.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(2));

        await using var denied = await RawClient.ConnectAsync(port);
        await denied.SendAsync("CONNECT {\"verbose\":false,\"user\":\"bob\",\"pass\":\"builder\"}\r\nPUB secret.x 2\r\nhi\r\n");
        Assert.That(await denied.ReadLineAsync(), Is.EqualTo("-ERR 'Permissions Violation for Publish to \"secret.x\"'"));
    }

    [Test]
    public void A_callout_without_its_account_or_in_operator_mode_refuses_to_start()
    {
        using var issuer = NKeyPair.Create(NKeyPrefix.Account);
        var missing = new Nats.Core.NatsServer(JwtServer.Options($$"""
            port: -1
            accounts { AUTH { users: [ { user: auth, password: pwd } ] } }
            authorization { auth_callout { issuer: {{issuer.PublicKey}}, auth_users: [ auth ], account: NOPE } }
            """));
        Assert.That(() => missing.AddPlugin(new Plugin.AuthJwtPlugin()), Throws.InstanceOf<Nats.Core.Plugins.PluginException>()
            .With.Message.Contains("no valid account \"NOPE\" for auth callout"));

        using var setup = new OperatorSetup();
        var operatorMode = new Nats.Core.NatsServer(JwtServer.Options(setup.MemoryConfig(FreePorts.Take())
            + $"\nauthorization {{ auth_callout {{ issuer: {issuer.PublicKey}, auth_users: [ auth ] }} }}\n"));
        Assert.That(() => operatorMode.AddPlugin(new Plugin.AuthJwtPlugin()), Throws.InstanceOf<Nats.Core.Plugins.PluginException>()
            .With.Message.Contains("operators do not allow authorization callouts to be configured directly"));
    }
}
