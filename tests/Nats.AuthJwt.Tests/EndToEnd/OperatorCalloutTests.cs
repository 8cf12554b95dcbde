using System.Text;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// Auth callout in operator mode, decided by the account JWT's <c>authorization</c> section (as
/// nats-server 2.10+): the callout account's users other than its <c>auth_users</c> (a sentinel
/// creds file plus a user name and password) are sent to its service, which places them in an
/// allowed account; accounts without the section are untouched. NATS.Net on both sides.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class OperatorCalloutTests
{
    [Test]
    public async Task The_account_claims_send_sentinel_users_to_the_service_which_places_them_in_an_allowed_account()
    {
        using var setup = new OperatorSetup();
        var auth = setup.NewAccount("AUTH");
        var app = setup.NewAccount("APP");
        var other = setup.NewAccount("OTHER");
        var service = setup.NewUser(auth, "service");
        var sentinel = setup.NewUser(auth, "sentinel", u =>
        {
            u.Nats.Pub = new Permission { Deny = [">"] };
            u.Nats.Sub = new Permission { Deny = [">"] };
        });
        var authJwt = setup.AccountJwt(auth, a => a.Nats.Authorization = new ExternalAuthorization
        {
            AuthUsers = [service.Key.PublicKey],
            AllowedAccounts = [app.Key.PublicKey],
        });
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), authJwt, setup.AccountJwt(app), setup.AccountJwt(other)));

        var requests = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await using var svc = Creds(server.Url, service.CredsPath);
        await using var subscription = await svc.SubscribeCoreAsync<byte[]>("$SYS.REQ.USER.AUTH", cancellationToken: cts.Token);
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in subscription.Msgs.ReadAllAsync(cts.Token))
            {
                Interlocked.Increment(ref requests);
                var request = JwtCodec.DecodeAuthorizationRequestClaims(Encoding.ASCII.GetString(msg.Data!));
                Assert.That(request.Subject, Is.EqualTo(auth.Key.PublicKey), "operator mode: the request names the callout account");
                var response = new AuthorizationResponseClaims { Subject = request.Nats.UserNKey, Audience = request.Nats.Server.Id };
                var connect = request.Nats.ConnectOptions;
                var signer = (connect.Username, connect.Password) switch
                {
                    ("bob", "builder") => app.Key,
                    ("carol", "c") => auth.Key,
                    ("eve", "e") => other.Key,
                    _ => null,
                };
                if (signer is null)
                {
                    response.Nats.Error = "unknown user";
                }
                else
                {
                    var user = UserClaims.Create(request.Nats.UserNKey);
                    user.Name = connect.Username;
                    user.Nats.Pub = new Permission { Allow = ["chat.>", "_INBOX.>", "$SYS.REQ.USER.AUTH"] };
                    response.Nats.Jwt = JwtCodec.Encode(user, signer);
                }
                await msg.ReplyAsync(Encoding.ASCII.GetBytes(JwtCodec.Encode(response, auth.Key)), cancellationToken: cts.Token);
            }
        }, cts.Token);
        await svc.PingAsync(cts.Token);
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(0), "the service itself is one of the auth_users");

        // An APP user with its own creds is not the callout's business.
        await using var alice = Creds(server.Url, setup.NewUser(app, "alice").CredsPath);
        await alice.ConnectAsync();
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(0));

        await using var bob = new NatsConnection(NatsOpts.Default with
        {
            Url = server.Url,
            AuthOpts = NatsAuthOpts.Default with { CredsFile = sentinel.CredsPath, Username = "bob", Password = "builder" },
            MaxReconnectRetry = 0,
        });
        await bob.ConnectAsync();
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(1));
        Assert.That(server.Server.Clients.Single(c => c.User == "bob").Account.Name, Is.EqualTo(app.Key.PublicKey));
        await using var chat = await alice.SubscribeCoreAsync<string>("chat.>", cancellationToken: cts.Token);
        await alice.PingAsync(cts.Token);
        await bob.PublishAsync("chat.hello", "hi alice", cancellationToken: cts.Token);
        Assert.That((await chat.Msgs.ReadAsync(cts.Token)).Data, Is.EqualTo("hi alice"));

        Assert.That(await SentinelLoginAsync(server, sentinel, "mallory", "x", "PING"), Is.EqualTo("-ERR 'Authorization Violation'"), "the service denied");
        Assert.That(await SentinelLoginAsync(server, sentinel, "eve", "e", "PING"), Is.EqualTo("-ERR 'Authorization Violation'"), "OTHER is not an allowed account");
        // Placed in the callout account itself: publishing requests is denied whatever the JWT allows.
        Assert.That(await SentinelLoginAsync(server, sentinel, "carol", "c", "PUB $SYS.REQ.USER.AUTH 2\r\nhi\r\nPING"),
            Is.EqualTo("-ERR 'Permissions Violation for Publish to \"$SYS.REQ.USER.AUTH\"'"));
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(4));

        // An update of APP, where bob was placed, re-authorizes its clients: bob's sentinel JWT is
        // checked again, the service's grant stands without asking it again.
        await using var system = Creds(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();
        Assert.That(await UpdateAsync(system, app.Key.PublicKey, setup.AccountJwt(app, a => a.Nats.Limits.Subs = 50), cts.Token), Is.EqualTo("jwt updated"));
        Assert.That(await SentinelLoginAsync(server, sentinel, "bob", "builder", "PING"), Is.EqualTo("PONG"), "a new connection is asked");
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(5), "only the new connection went to the service");
        await bob.PingAsync(cts.Token);
        Assert.That(server.Server.Accounts.Find(app.Key.PublicKey)!.Limits.MaxSubscriptions, Is.EqualTo(50));

        // Revoking the sentinel in the callout account ends bob's grant on the next check.
        var revoking = setup.AccountJwt(auth, a =>
        {
            a.Nats.Authorization = new ExternalAuthorization { AuthUsers = [service.Key.PublicKey], AllowedAccounts = [app.Key.PublicKey] };
            a.Nats.Revocations = new RevocationList();
            a.Nats.Revocations.Revoke(sentinel.Key.PublicKey, DateTimeOffset.UtcNow.AddSeconds(1));
        });
        Assert.That(await UpdateAsync(system, auth.Key.PublicKey, revoking, cts.Token), Is.EqualTo("jwt updated"));
        await Eventually.TrueAsync(() => bob.ConnectionState != NatsConnectionState.Open, "bob, admitted with the revoked sentinel, is disconnected", TimeSpan.FromSeconds(15));
        Assert.That(Volatile.Read(ref requests), Is.EqualTo(5));
        await alice.PingAsync(cts.Token);
    }

    private static async Task<string?> UpdateAsync(NatsConnection system, string account, string jwt, CancellationToken cancellationToken)
    {
        var reply = await system.RequestAsync<string, string>($"$SYS.REQ.ACCOUNT.{account}.CLAIMS.UPDATE", jwt, cancellationToken: cancellationToken);
        return System.Text.Json.JsonDocument.Parse(reply.Data!).RootElement.GetProperty("data").GetProperty("message").GetString();
    }

    private static NatsConnection Creds(string url, string creds) => new(NatsOpts.Default with
    {
        Url = url,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
    });

    /// <summary>Connects with the sentinel JWT plus a user name and password, sends <paramref name="then"/>; the first line back.</summary>
    private static async Task<string> SentinelLoginAsync(JwtServer server, TestUser sentinel, string user, string pass, string then)
    {
        await using var raw = await RawClient.ConnectAsync(server.Port);
        var nonce = raw.Info.GetProperty("nonce").GetString()!;
        await raw.SendAsync($$"""CONNECT {"verbose":false,"pedantic":false,"jwt":"{{sentinel.Jwt}}","sig":"{{sentinel.Sign(nonce)}}","user":"{{user}}","pass":"{{pass}}"}""" + "\r\n" + then + "\r\n");
        var line = await raw.ReadLineAsync();
        return line == "PONG" && then.StartsWith("PUB", StringComparison.Ordinal) ? await raw.ReadLineAsync() : line;
    }
}
