using System.Text.Json;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// <c>$SYS.REQ.USER.INFO</c> (nats-server 2.10's <c>userInfoReq</c>; 2.9.10 does not answer it, so
/// the shape is checked against 2.10's <c>UserInfo</c>): creds users of a JWT account and of the
/// system account (NATS.Net) each learn their own user key, account, JWT permissions and the
/// time left until their JWT expires.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class UserInfoTests
{
    [Test]
    public async Task Each_user_is_told_its_own_identity_permissions_and_expiry()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var limited = setup.NewUser(account, "limited", u =>
        {
            u.Nats.Pub.Allow = ["orders.>", "$SYS.REQ.USER.INFO"];
            u.Nats.Sub.Allow = ["_INBOX.>"];
            u.Nats.Sub.Deny = ["orders.secret"];
            u.Nats.Resp = new ResponsePermission { MaxMessages = 2, ExpiresNanoseconds = 5_000_000_000 };
            u.Expires = expires.ToUnixTimeSeconds();
        });
        var free = setup.NewUser(account, "free");
        var admin = setup.NewUser(setup.SystemAccount, "admin");
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account)));

        var limitedInfo = await AskAsync(server.Url, limited.CredsPath);
        var freeInfo = await AskAsync(server.Url, free.CredsPath);
        var adminInfo = await AskAsync(server.Url, admin.CredsPath);

        Assert.Multiple(() =>
        {
            Assert.That(limitedInfo.GetProperty("server").GetProperty("id").GetString(), Is.EqualTo(server.Server.ServerId));
            var data = limitedInfo.GetProperty("data");
            Assert.That(data.GetProperty("user").GetString(), Is.EqualTo(limited.Key.PublicKey));
            Assert.That(data.GetProperty("account").GetString(), Is.EqualTo(account.Key.PublicKey));
            Assert.That(data.GetProperty("permissions").GetRawText(), Is.EqualTo(
                """{"publish":{"allow":["orders.\u003e","$SYS.REQ.USER.INFO"]},"subscribe":{"allow":["_INBOX.\u003e"],"deny":["orders.secret"]},"responses":{"max":2,"ttl":5000000000}}"""));
            // Whole seconds left, as a Go duration (nanoseconds).
            var left = TimeSpan.FromTicks(data.GetProperty("expires").GetInt64() / 100);
            Assert.That(left, Is.InRange(TimeSpan.FromMinutes(58), TimeSpan.FromHours(1)));
            Assert.That(left.Ticks % TimeSpan.TicksPerSecond, Is.Zero);

            var freeData = freeInfo.GetProperty("data");
            Assert.That(freeData.GetProperty("user").GetString(), Is.EqualTo(free.Key.PublicKey));
            Assert.That(freeData.GetProperty("account").GetString(), Is.EqualTo(account.Key.PublicKey));
            Assert.That(freeData.TryGetProperty("permissions", out _), Is.False, "no permissions: left out, as nats-server");
            Assert.That(freeData.TryGetProperty("expires", out _), Is.False, "never expires: left out");

            var adminData = adminInfo.GetProperty("data");
            Assert.That(adminData.GetProperty("user").GetString(), Is.EqualTo(admin.Key.PublicKey));
            Assert.That(adminData.GetProperty("account").GetString(), Is.EqualTo(setup.SystemAccount.Key.PublicKey));
        });
    }

    private static async Task<JsonElement> AskAsync(string url, string creds)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await using var client = new NatsConnection(NatsOpts.Default with
        {
            Url = url,
            AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
            MaxReconnectRetry = 0,
        });
        var reply = await client.RequestAsync<string, string>("$SYS.REQ.USER.INFO", "", cancellationToken: cts.Token);
        TestContext.Out.WriteLine(reply.Data);
        return JsonDocument.Parse(reply.Data!).RootElement.Clone();
    }
}
