using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Nats.JetStream.Server;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// JetStream for operator-mode accounts: an account JWT with JetStream limits
/// (<c>mem_storage</c>, <c>disk_storage</c>, <c>streams</c>, <c>consumer</c>) has JetStream with those
/// limits, one without answers 10039, and a <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.UPDATE</c> that adds or
/// removes them enables or disables it (nats-server's <c>updateAccountClaimsWithRefresh</c> and
/// <c>configJetStream</c>). NATS.Net creds clients; the same scenario on nats-server 2.9.10.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class JwtJetStreamTests
{
    [Test]
    public async Task Jwt_limits_enable_JetStream_and_updates_enable_or_disable_it()
    {
        using var setup = new OperatorSetup();
        var withJs = setup.NewAccount("JS");
        var noJsAccount = setup.NewAccount("NOJS");
        var without = setup.NewUser(noJsAccount, "plain");
        var user = setup.NewUser(withJs, "u");
        static void Limits(Nats.AuthJwt.Jwt.Claims.AccountClaims a)
        {
            a.Nats.Limits.MemoryStorage = 1 << 20;
            a.Nats.Limits.DiskStorage = 10 << 20;
            a.Nats.Limits.Streams = 5;
            a.Nats.Limits.Consumer = 10;
        }
        var initial = DateTimeOffset.UtcNow.AddSeconds(-5);
        string[] jwts = [setup.AccountJwt(withJs, Limits, initial), setup.AccountJwt(noJsAccount, issuedAt: initial)];

        async Task<List<string>> Scenario(int port)
        {
            var seen = new List<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var ct = cts.Token;
            await using (var nc = user.Client(port))
            {
                var js = new NatsJSContext(nc);
                var info = await js.GetAccountInfoAsync(ct);
                seen.Add($"JS limits: mem={info.Limits.MaxMemory} store={info.Limits.MaxStorage} streams={info.Limits.MaxStreams} consumers={info.Limits.MaxConsumers}");
                await js.CreateStreamAsync(new StreamConfig("S", ["s.>"]) { Storage = StreamConfigStorage.File }, ct);
                for (var i = 1; i <= 3; i++)
                {
                    var ack = await js.PublishAsync($"s.{i}", $"m{i}", cancellationToken: ct);
                    seen.Add($"ack: {ack.Stream} {ack.Seq}");
                }
                var consumer = await js.CreateOrUpdateConsumerAsync("S", new ConsumerConfig("c"), ct);
                var got = new List<string>();
                await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 3, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
                {
                    got.Add($"{msg.Subject}={msg.Data}");
                    await msg.AckAsync(cancellationToken: ct);
                }
                seen.Add("consumed: " + string.Join(",", got));
            }
            seen.Add("NOJS: " + await InfoAsync(without, port, ct));
            seen.Add("enable NOJS: " + await setup.PushAsync(port, setup.AccountJwt(noJsAccount, Limits)));
            seen.Add("NOJS then: " + await InfoAsync(without, port, ct));
            seen.Add("disable JS: " + await setup.PushAsync(port, setup.AccountJwt(withJs)));
            seen.Add("JS then: " + await InfoAsync(user, port, ct));
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(
            port => setup.MemoryConfig(port, jwts) + $"\njetstream {{ store_dir: \"{Path.Combine(setup.Directory, "js" + port)}\" }}\n",
            Scenario, () => [new JetStreamPlugin()]);
        Assert.That(ours, Is.EqualTo(new[]
        {
            "JS limits: mem=1048576 store=10485760 streams=5 consumers=10",
            "ack: S 1", "ack: S 2", "ack: S 3",
            "consumed: s.1=m1,s.2=m2,s.3=m3",
            "NOJS: 503 10039 JetStream not enabled for account",
            "enable NOJS: jwt updated",
            "NOJS then: streams=0",
            "disable JS: jwt updated",
            "JS then: 503 10039 JetStream not enabled for account",
        }));
        if (reference is not null)
        {
            Assert.That(ours, Is.EqualTo(reference), "nats-server 2.9.10 saw otherwise");
        }
    }

    /// <summary>The account's <c>$JS.API.INFO</c> answer: its stream count, or the API error.</summary>
    private static async Task<string> InfoAsync(TestUser user, int port, CancellationToken ct)
    {
        await using var nc = user.Client(port);
        try
        {
            var info = await new NatsJSContext(nc).GetAccountInfoAsync(ct);
            return $"streams={info.Streams}";
        }
        catch (NatsJSApiException e)
        {
            return $"{e.Error.Code} {e.Error.ErrCode} {e.Error.Description}";
        }
    }
}
