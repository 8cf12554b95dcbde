using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>Mirrors of a stream of the same account, through NATS.Net as users configure them.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MirrorTests
{
    [Test]
    public async Task A_mirror_copies_with_the_origin_sequences_follows_new_messages_and_survives_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        var js = server.Client().CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("ORIGIN", ["o.>"]), ct);
        for (var i = 1; i <= 10; i++)
        {
            (await js.PublishAsync($"o.{(i % 2 == 0 ? "even" : "odd")}", $"m{i}", cancellationToken: ct)).EnsureSuccess();
        }
        // A hole in the origin: the mirror keeps the origin's numbering.
        await (await js.GetStreamAsync("ORIGIN", cancellationToken: ct)).DeleteMessageAsync(new StreamMsgDeleteRequest { Seq = 4, NoErase = true }, ct);

        await js.CreateStreamAsync(new StreamConfig { Name = "M", Mirror = new StreamSource { Name = "ORIGIN" } }, ct);
        await js.CreateStreamAsync(new StreamConfig { Name = "EVEN", Mirror = new StreamSource { Name = "ORIGIN", FilterSubject = "o.even", OptStartSeq = 3 } }, ct);
        await MirrorTestsWait.LastAsync(js, "M", 10);
        (await js.PublishAsync("o.odd", "m11", cancellationToken: ct)).EnsureSuccess();
        await MirrorTestsWait.LastAsync(js, "M", 11);

        var mirror = await js.GetStreamAsync("M", cancellationToken: ct);
        Assert.That((mirror.Info.State.Messages, mirror.Info.State.FirstSeq, mirror.Info.State.LastSeq), Is.EqualTo((10L, 1UL, 11UL)));
        Assert.That(mirror.Info.Mirror?.Name, Is.EqualTo("ORIGIN"));
        Assert.That(mirror.Info.Mirror?.Lag, Is.EqualTo(0UL));
        var copied = await mirror.GetAsync(new StreamMsgGetRequest { Seq = 7 }, ct);
        Assert.That((copied.Message.Subject, System.Text.Encoding.UTF8.GetString(copied.Message.Data.Span)), Is.EqualTo(("o.odd", "m7")));
        Assert.ThrowsAsync<NatsJSApiException>(async () => await mirror.GetAsync(new StreamMsgGetRequest { Seq = 4 }, ct), "a hole in the origin is a hole in the mirror");

        await MirrorTestsWait.LastAsync(js, "EVEN", 10);
        var even = await js.GetStreamAsync("EVEN", cancellationToken: ct);
        Assert.That((even.Info.State.Messages, even.Info.State.FirstSeq), Is.EqualTo((3L, 6UL)), "o.even from sequence 3 on: 6, 8, 10 (4 was deleted)");

        // A consumer on the mirror reads it as any stream.
        var consumer = await js.CreateOrUpdateConsumerAsync("M", new ConsumerConfig("c") { AckPolicy = ConsumerConfigAckPolicy.None }, ct);
        var seqs = new List<ulong>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 10, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
        {
            seqs.Add(msg.Metadata!.Value.Sequence.Stream);
        }
        Assert.That(seqs, Is.EqualTo(new ulong[] { 1, 2, 3, 5, 6, 7, 8, 9, 10, 11 }));

        await server.RestartAsync();
        js = server.Client().CreateJetStreamContext();
        (await js.PublishAsync("o.even", "m12", cancellationToken: ct)).EnsureSuccess();
        await MirrorTestsWait.LastAsync(js, "M", 12);
        mirror = await js.GetStreamAsync("M", cancellationToken: ct);
        Assert.That((mirror.Info.State.Messages, mirror.Info.State.LastSeq), Is.EqualTo((11L, 12UL)), "resumed after its own last sequence: nothing lost or repeated");

        var update = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.UpdateStreamAsync(new StreamConfig { Name = "M", Mirror = new StreamSource { Name = "OTHER" } }, ct))!;
        Assert.That(update.Error.ErrCode, Is.EqualTo(10055));
        var subjects = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig { Name = "X", Subjects = ["x"], Mirror = new StreamSource { Name = "ORIGIN" } }, ct))!;
        Assert.That(subjects.Error.ErrCode, Is.EqualTo(10034));
    }

    [Test]
    public async Task Sources_copy_from_several_streams_and_resume_after_a_restart_and_an_update(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        var js = server.Client().CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("A", ["a.>"]), ct);
        await js.CreateStreamAsync(new StreamConfig("B", ["b.>"]), ct);
        for (var i = 1; i <= 3; i++)
        {
            (await js.PublishAsync($"a.{i}", $"a{i}", cancellationToken: ct)).EnsureSuccess();
            (await js.PublishAsync($"b.{i}", $"b{i}", cancellationToken: ct)).EnsureSuccess();
        }
        await js.CreateStreamAsync(new StreamConfig { Name = "ALL", Subjects = ["all"], Sources = [new StreamSource { Name = "A" }] }, ct);
        await MirrorTestsWait.LastAsync(js, "ALL", 3);

        await server.RestartAsync();
        js = server.Client().CreateJetStreamContext();
        (await js.PublishAsync("a.4", "a4", cancellationToken: ct)).EnsureSuccess();
        await MirrorTestsWait.LastAsync(js, "ALL", 4);
        // An update adding a source keeps A's position (read back from Nats-Stream-Source) and starts B.
        await js.UpdateStreamAsync(new StreamConfig { Name = "ALL", Subjects = ["all"], Sources = [new StreamSource { Name = "A" }, new StreamSource { Name = "B", FilterSubject = "b.2" }] }, ct);
        (await js.PublishAsync("all", "own", cancellationToken: ct)).EnsureSuccess();
        await MirrorTestsWait.LastAsync(js, "ALL", 6);

        var stream = await js.GetStreamAsync("ALL", cancellationToken: ct);
        var payloads = new List<string>();
        for (var seq = 1UL; seq <= stream.Info.State.LastSeq; seq++)
        {
            var m = await stream.GetAsync(new StreamMsgGetRequest { Seq = seq }, ct);
            payloads.Add(System.Text.Encoding.UTF8.GetString(m.Message.Data.Span));
        }
        Assert.That(payloads.Order(), Is.EqualTo(new[] { "a1", "a2", "a3", "a4", "b2", "own" }), "each once: nothing lost or repeated");
        Assert.That(stream.Info.Sources?.Select(s => s.Name).Order(), Is.EqualTo(new[] { "A", "B" }));
    }
}
