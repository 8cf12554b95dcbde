using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>Stream and consumer metadata through NATS.Net (kept across a restart), and the system account refused JetStream.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MetadataAndSystemAccountTests
{
    [Test]
    public async Task Stream_and_consumer_metadata_are_kept_updated_and_survive_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        var js = server.Client().CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("META", ["meta"]) { Metadata = new Dictionary<string, string> { ["owner"] = "team-a", ["tier"] = "gold" } }, ct);
        await js.CreateOrUpdateConsumerAsync("META", new ConsumerConfig("c") { Metadata = new Dictionary<string, string> { ["purpose"] = "audit" } }, ct);
        await js.UpdateStreamAsync(new StreamConfig("META", ["meta"]) { Metadata = new Dictionary<string, string> { ["owner"] = "team-b" } }, ct);

        await server.RestartAsync();
        js = server.Client().CreateJetStreamContext();
        var stream = await js.GetStreamAsync("META", cancellationToken: ct);
        Assert.That(stream.Info.Config.Metadata, Does.ContainKey("owner").WithValue("team-b"));
        Assert.That(stream.Info.Config.Metadata, Does.Not.ContainKey("tier"), "an update replaces the metadata");
        var consumer = await js.GetConsumerAsync("META", "c", ct);
        Assert.That(consumer.Info.Config.Metadata, Does.ContainKey("purpose").WithValue("audit"));
    }

    [Test]
    public async Task The_system_account_never_gets_jetstream_and_is_told_so(CancellationToken ct)
    {
        const string accounts = """
            system_account: SYS
            accounts {
              SYS { users: [{user: sys, password: sys}] }
              A { jetstream: enabled, users: [{user: a, password: a}] }
            }
            """;
        // As nats-server (a fatal error at start): a configuration enabling it is refused.
        var refusedStart = Assert.ThrowsAsync<Nats.Core.Plugins.PluginException>(async () =>
            await JetStreamServer.StartAsync(accounts.Replace("SYS { users", "SYS { jetstream: enabled, users", StringComparison.Ordinal)))!;
        Assert.That(refusedStart.Message, Does.Contain("Not allowed to enable JetStream on the system account"));

        await using var server = await JetStreamServer.StartAsync(accounts);
        await using (var a = server.Client("a", "a"))
        {
            var info = await a.CreateJetStreamContext().GetAccountInfoAsync(ct);
            Assert.That(info.Streams, Is.EqualTo(0));
        }
        await using var sys = server.Client("sys", "sys");
        // The system account is told JetStream is not enabled (10039), as nats-server answers it.
        var refused = Assert.ThrowsAsync<NatsJSApiException>(async () => await sys.CreateJetStreamContext().GetAccountInfoAsync(ct))!;
        Assert.That(refused.Error.ErrCode, Is.EqualTo(10039));
        var create = Assert.ThrowsAsync<NatsJSApiException>(async () => await sys.CreateJetStreamContext().CreateStreamAsync(new StreamConfig("S", ["s"]), ct))!;
        Assert.That(create.Error.ErrCode, Is.EqualTo(10039), "every API request, as nats-server 2.10+");
    }
}
