using System.Text;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>Operator mode with a MEMORY resolver, in-process, with NATS.Net creds clients and raw clients.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MemoryResolverTests
{
    private static NatsConnection Client(string url, string creds) => new(NatsOpts.Default with
    {
        Url = url,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    [Test]
    public async Task A_creds_user_connects_and_exchanges_messages_in_its_account()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var user = setup.NewUser(account, "alice");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account)));

        await using var sub = Client(server.Url, user.CredsPath);
        await using var pub = Client(server.Url, setup.NewUser(account, "bob").CredsPath);
        await sub.ConnectAsync();
        await pub.ConnectAsync();
        var reply = await RequestViaSubscriberAsync(sub, pub, "greet");
        Assert.That(reply, Is.EqualTo("hello greet"));
        Assert.That(server.Server.Clients.Select(c => c.Account.Name).Distinct(), Is.EqualTo(new[] { account.Key.PublicKey }));
    }

    [Test]
    public async Task With_the_plugin_loaded_a_client_without_credentials_is_refused()
    {
        using var setup = new OperatorSetup();
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take()));
        await using var raw = await RawClient.ConnectAsync(server.Port);
        Assert.That(raw.Info.GetProperty("auth_required").GetBoolean(), Is.True);
        await raw.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n");
        await raw.ExpectErrAndCloseAsync("Authorization Violation");
    }

    [Test]
    public async Task Bad_expired_revoked_and_untrusted_users_are_refused_with_authorization_violation()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var revoked = setup.NewUser(account, "revoked", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Revocations = new RevocationList();
            a.Nats.Revocations.Revoke(revoked.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1));
        });
        var expired = setup.NewUser(account, "expired", u => u.Expires = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
        var stranger = setup.NewUser(setup.NewAccount("unknown"), "stranger");
        var good = setup.NewUser(account, "good");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), accountJwt));

        foreach (var user in new[] { revoked, expired, stranger })
        {
            await using var raw = await RawClient.ConnectAsync(server.Port);
            await raw.SendAsync(user.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
            await raw.ExpectErrAndCloseAsync("Authorization Violation");
        }
        // The same server admits a good user of the same account.
        await using var ok = await RawClient.ConnectAsync(server.Port);
        await ok.SendAsync(good.Connect(ok.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        await ok.ExpectLineAsync("PONG");
    }

    /// <summary>Subscribes a responder on <paramref name="sub"/> and asks it through <paramref name="pub"/>.</summary>
    internal static async Task<string> RequestViaSubscriberAsync(NatsConnection sub, NatsConnection pub, string what, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var subscription = await sub.SubscribeCoreAsync<string>("greet.>", cancellationToken: cts.Token);
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in subscription.Msgs.ReadAllAsync(cts.Token))
            {
                await msg.ReplyAsync("hello " + msg.Data, cancellationToken: cts.Token);
                return;
            }
        }, cts.Token);
        await sub.PingAsync(cts.Token);
        var reply = await pub.RequestAsync<string, string>("greet.x", what, cancellationToken: cts.Token);
        await responder;
        await subscription.DisposeAsync();
        return reply.Data!;
    }
}
