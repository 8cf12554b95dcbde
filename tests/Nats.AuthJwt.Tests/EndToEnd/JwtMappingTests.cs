using System.Text.Json;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// An account JWT's <c>mappings</c> go through the kernel's subject mappings (the same code as
/// <c>mappings {}</c> in a config file), and a claims update pushed over <c>$SYS</c> replaces or
/// removes them for the live users, as nats-server's <c>UpdateAccountClaims</c> does.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class JwtMappingTests
{
    private static NatsConnection Client(string url, string creds) => new(NatsOpts.Default with
    {
        Url = url,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    private static SubjectMappings To(string destination, byte weight = 0) =>
        new() { ["orders.*"] = [new WeightedMapping { Subject = destination, Weight = weight }] };

    [Test]
    public async Task Jwt_mappings_apply_and_follow_claims_updates()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var first = setup.AccountJwt(account, a => a.Nats.Mappings = To("shard.{{partition(10,1)}}.$1"), issuedAt: DateTimeOffset.UtcNow.AddSeconds(-10));
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), first));

        var user = setup.NewUser(account, "u");
        await using var live = await RawClient.ConnectAsync(server.Port);
        live.AnswerPings = true;
        await live.SendAsync(user.Connect(live.Info.GetProperty("nonce").GetString()!) + "\r\nSUB > 1\r\nPUB orders.foo 1\r\na\r\n");
        // nats-server's vector: "foo" is partition 3 of 10; weight 0 in a JWT means 100.
        await live.ExpectMsgAsync("shard.3.foo", "1", "a");

        await using var system = Client(server.Url, setup.NewUser(setup.SystemAccount, "admin").CredsPath);
        await system.ConnectAsync();
        await UpdateAsync(system, account.Key.PublicKey, setup.AccountJwt(account, a => a.Nats.Mappings = To("moved.$1"), issuedAt: DateTimeOffset.UtcNow.AddSeconds(-5)));
        await live.SendAsync("PUB orders.foo 1\r\nb\r\n");
        await live.ExpectMsgAsync("moved.foo", "1", "b");

        await UpdateAsync(system, account.Key.PublicKey, setup.AccountJwt(account));
        await live.SendAsync("PUB orders.foo 1\r\nc\r\n");
        await live.ExpectMsgAsync("orders.foo", "1", "c");
    }

    private static async Task UpdateAsync(NatsConnection system, string account, string jwt)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reply = await system.RequestAsync<string, string>($"$SYS.REQ.ACCOUNT.{account}.CLAIMS.UPDATE", jwt, cancellationToken: cts.Token);
        var answer = JsonDocument.Parse(reply.Data!).RootElement;
        Assert.That(answer.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("jwt updated"), reply.Data);
    }
}
