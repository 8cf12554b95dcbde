using System.Text.Json;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>Account JWTs pushed over <c>$SYS</c> as <c>nsc push</c> does: applied live, stored by the full resolver.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClaimsUpdateTests
{
    private static NatsConnection Client(string url, string creds) => new(NatsOpts.Default with
    {
        Url = url,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private static async Task<JsonElement> RequestAsync(NatsConnection system, string subject, string body)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = await system.RequestAsync<string, string>(subject, body, cancellationToken: cts.Token);
        return JsonDocument.Parse(reply.Data!).RootElement;
    }

    private static void ExportEvents(AccountClaims exporter) =>
        exporter.Nats.Exports = [new Export { Name = "events", Subject = "events.>", Type = ExportType.Stream }];

    [Test]
    public async Task An_update_pushed_over_SYS_exports_a_stream_to_a_live_importer()
    {
        using var setup = new OperatorSetup();
        var exporter = setup.NewAccount("EXP");
        var importer = setup.NewAccount("IMP");
        var importerJwt = setup.AccountJwt(importer, a => a.Nats.Imports = [new Import { Name = "events", Subject = "events.>", Account = exporter.Key.PublicKey, Type = ExportType.Stream }]);
        var withoutExport = setup.AccountJwt(exporter, issuedAt: DateTimeOffset.UtcNow.AddSeconds(-5));
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), withoutExport, importerJwt));

        await using var publisher = Client(server.Url, setup.NewUser(exporter, "pub").CredsPath);
        await using var subscriber = Client(server.Url, setup.NewUser(importer, "sub").CredsPath);
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await publisher.ConnectAsync();
        await system.ConnectAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var events = await subscriber.SubscribeCoreAsync<string>("events.>", cancellationToken: cts.Token);
        await subscriber.PingAsync(cts.Token);

        await publisher.PublishAsync("events.before", "not exported yet", cancellationToken: cts.Token);
        await publisher.PingAsync(cts.Token);
        using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            quiet.CancelAfter(TimeSpan.FromMilliseconds(300));
            Assert.That(async () => await events.Msgs.ReadAsync(quiet.Token), Throws.InstanceOf<OperationCanceledException>(), "nothing is exported yet");
        }

        var answer = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{exporter.Key.PublicKey}.CLAIMS.UPDATE", setup.AccountJwt(exporter, ExportEvents));
        Assert.That(answer.GetProperty("data").GetRawText(),
            Is.EqualTo($$"""{"account":"{{exporter.Key.PublicKey}}","code":200,"message":"jwt updated"}"""));
        Assert.That(answer.GetProperty("server").GetProperty("id").GetString(), Is.EqualTo(server.Server.ServerId));

        await publisher.PublishAsync("events.after", "exported", cancellationToken: cts.Token);
        var msg = await events.Msgs.ReadAsync(cts.Token);
        Assert.That((msg.Subject, msg.Data), Is.EqualTo(("events.after", "exported")));
    }

    /// <summary>
    /// An account update re-authorizes the account's live users against the new claims (nats-server's
    /// <c>updateAccountClaimsWithRefresh</c>): a user without permissions of its own takes the new
    /// default permissions at once, and a user issued by a signing key the update removed is disconnected.
    /// </summary>
    [Test]
    public async Task An_update_pushed_over_SYS_changes_a_live_users_permissions_and_drops_removed_signing_keys()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        using var signer = Nats.Core.Security.NKeyPair.Create(Nats.Core.Security.NKeyPrefix.Account);
        var before = setup.AccountJwt(account, a => a.Nats.SigningKeys!.Add(signer.PublicKey), issuedAt: DateTimeOffset.UtcNow.AddSeconds(-5));
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), before));

        var plain = setup.NewUser(account, "plain");
        await using var live = await RawClient.ConnectAsync(server.Port);
        live.AnswerPings = true;
        await live.SendAsync(plain.Connect(live.Info.GetProperty("nonce").GetString()!) + "\r\nSUB secret.> 1\r\nPUB secret.x 2\r\nhi\r\nPING\r\n");
        await live.ExpectMsgAsync("secret.x", "1", "hi");
        await live.ExpectLineAsync("PONG");

        using var signedKey = Nats.Core.Security.NKeyPair.Create(Nats.Core.Security.NKeyPrefix.User);
        var signedClaims = UserClaims.Create(signedKey.PublicKey);
        signedClaims.Name = "signed";
        signedClaims.Nats.IssuerAccount = account.Key.PublicKey;
        var signed = new TestUser(signedKey, JwtCodec.Encode(signedClaims, signer), "");
        await using var bySigner = await RawClient.ConnectAsync(server.Port);
        bySigner.AnswerPings = true;
        await bySigner.SendAsync(signed.Connect(bySigner.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        await bySigner.ExpectLineAsync("PONG");

        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();
        var after = setup.AccountJwt(account, a =>
        {
            a.Nats.DefaultPermissions.Pub = new Permission { Deny = ["secret.>"] };
            a.Nats.DefaultPermissions.Sub = new Permission { Deny = ["secret.>"] };
        });
        var answer = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.CLAIMS.UPDATE", after);
        Assert.That(answer.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt updated"));

        // The subscription the new defaults forbid is removed, publishing is denied.
        Assert.That(await live.ReadLineAsync(), Is.EqualTo("-ERR 'Permissions Violation for Subscription to \"secret.>\"'"));
        await live.SendAsync("PUB secret.x 2\r\nhi\r\nPING\r\n");
        Assert.That(await live.ReadLineAsync(), Is.EqualTo("-ERR 'Permissions Violation for Publish to \"secret.x\"'"));
        await live.ExpectLineAsync("PONG");
        // The signing key is gone from the account: its user no longer authenticates.
        Assert.That(await bySigner.ReadUntilClosedAsync(), Does.Contain("-ERR 'Authorization Violation'"));
    }

    [Test]
    public async Task Without_system_account_in_the_config_the_operators_system_account_serves_SYS()
    {
        using var setup = new OperatorSetup();
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), systemAccountLine: false));
        Assert.That(server.Server.Accounts.System!.Name, Is.EqualTo(setup.SystemAccount.Key.PublicKey));
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();
        var idle = setup.NewAccount("IDLE");
        var answer = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{idle.Key.PublicKey}.CLAIMS.UPDATE", setup.AccountJwt(idle));
        Assert.That(answer.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt update skipped"));
    }

    [Test]
    public async Task An_update_for_an_account_not_in_use_is_skipped_and_a_bad_one_is_an_error()
    {
        using var setup = new OperatorSetup();
        var idle = setup.NewAccount("IDLE");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take()));
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();

        var skipped = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{idle.Key.PublicKey}.CLAIMS.UPDATE", setup.AccountJwt(idle));
        Assert.That(skipped.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt update skipped"));

        var other = setup.NewAccount("OTHER");
        var mismatch = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{idle.Key.PublicKey}.CLAIMS.UPDATE", setup.AccountJwt(other));
        Assert.That(mismatch.GetProperty("error").GetRawText(), Is.EqualTo(
            $$"""{"account":"{{idle.Key.PublicKey}}","code":500,"description":"jwt update resulted in error - subject does not match jwt content"}"""));
    }

    [Test]
    public async Task Revoking_a_connected_user_disconnects_it_and_others_stay()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var victim = setup.NewUser(account, "victim", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-5));
        var bystander = setup.NewUser(account, "bystander");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-1))));
        await using var raw = await RawClient.ConnectAsync(server.Port);
        await raw.SendAsync(victim.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        await raw.ExpectLineAsync("PONG");
        await using var other = Client(server.Url, bystander.CredsPath);
        await other.ConnectAsync();
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();

        var revoking = setup.AccountJwt(account, a =>
        {
            a.Nats.Revocations = new RevocationList();
            a.Nats.Revocations.Revoke(victim.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-2));
        });
        var answer = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.CLAIMS.UPDATE", revoking);
        Assert.That(answer.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt updated"));

        var closing = await raw.ReadUntilClosedAsync();
        Assert.That(closing, Does.Contain("-ERR 'User Authentication Revoked'"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await other.PingAsync(cts.Token);
        Assert.That(other.ConnectionState, Is.EqualTo(NatsConnectionState.Open));
    }

    [Test]
    public async Task The_full_resolver_stores_pushed_accounts_answers_list_lookup_and_pack_and_deletes()
    {
        using var setup = new OperatorSetup();
        var dir = Path.Combine(setup.Directory, "jwt");
        var account = setup.NewAccount("NEW");
        var user = setup.NewUser(account, "newbie");
        await using var server = await JwtServer.StartAsync(setup.FullResolverConfig(FreePorts.Take(), dir));
        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();

        // Unknown before the push: the user is refused.
        await using (var early = Client(server.Url, user.CredsPath))
        {
            Assert.That(async () => await early.ConnectAsync(), Throws.Exception);
        }

        var accountJwt = setup.AccountJwt(account);
        var stored = await RequestAsync(system, "$SYS.REQ.CLAIMS.UPDATE", accountJwt);
        Assert.That(stored.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt updated"));
        Assert.That(File.ReadAllText(Path.Combine(dir, account.Key.PublicKey + ".jwt")), Is.EqualTo(accountJwt));

        await using var client = Client(server.Url, user.CredsPath);
        await client.ConnectAsync();

        var list = await RequestAsync(system, "$SYS.REQ.CLAIMS.LIST", "");
        Assert.That(list.GetProperty("data").EnumerateArray().Select(e => e.GetString()),
            Is.EquivalentTo(new[] { account.Key.PublicKey, setup.SystemAccount.Key.PublicKey }));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var lookup = await system.RequestAsync<string, string>($"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.CLAIMS.LOOKUP", "", cancellationToken: cts.Token);
        Assert.That(lookup.Data, Is.EqualTo(accountJwt));

        var deleted = await RequestAsync(system, "$SYS.REQ.CLAIMS.DELETE", setup.DeleteRequest(account.Key.PublicKey));
        Assert.That(deleted.GetProperty("data").GetRawText(), Is.EqualTo("""{"code":200,"message":"deleted 1 accounts"}"""));
        Assert.That(File.Exists(Path.Combine(dir, account.Key.PublicKey + ".jwt.deleted")), Is.True);
        await Eventually.TrueAsync(() => client.ConnectionState != NatsConnectionState.Open, "the deleted account's client is disconnected");
        Assert.That(server.Server.Accounts.Find(account.Key.PublicKey), Is.Null);
    }
}
