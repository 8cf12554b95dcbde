using System.Text;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>NATS.Net's JetStream API against a server running the plugin, as users use it.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ClientStreamTests
{
    [Test]
    public async Task Streams_publish_acks_and_a_pull_consumer_work_end_to_end(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();

        var stream = await js.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]), ct);
        Assert.That(stream.Info.Config.Name, Is.EqualTo("ORDERS"));

        for (var i = 1; i <= 20; i++)
        {
            var ack = await js.PublishAsync($"orders.{i % 3}", $"order {i}", cancellationToken: ct);
            ack.EnsureSuccess();
            Assert.That((ack.Stream, ack.Seq), Is.EqualTo(("ORDERS", (ulong)i)));
        }
        var dup = await js.PublishAsync("orders.1", "again", opts: new NatsJSPubOpts { MsgId = "m-1" }, cancellationToken: ct);
        var dup2 = await js.PublishAsync("orders.1", "again", opts: new NatsJSPubOpts { MsgId = "m-1" }, cancellationToken: ct);
        Assert.That((dup.Duplicate, dup2.Duplicate, dup2.Seq), Is.EqualTo((false, true, dup.Seq)));

        var consumer = await js.CreateOrUpdateConsumerAsync("ORDERS", new ConsumerConfig("worker") { AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);
        var received = new List<string>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 21, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
        {
            received.Add(msg.Data!);
            await msg.AckAsync(cancellationToken: ct);
        }
        Assert.That(received, Has.Count.EqualTo(21));
        Assert.That(received[0], Is.EqualTo("order 1"));

        await Eventually.TrueAsync(async () =>
        {
            await consumer.RefreshAsync(ct);
            return consumer.Info.AckFloor.StreamSeq == 21 && consumer.Info.NumAckPending == 0;
        }, "all acks to be processed", TimeSpan.FromSeconds(10));

        var info = await js.GetStreamAsync("ORDERS", cancellationToken: ct);
        Assert.That((info.Info.State.Messages, info.Info.State.LastSeq), Is.EqualTo((21L, 21UL)));
    }

    [Test]
    public async Task A_consume_loop_gets_messages_published_after_it_started(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("EVENTS", ["events.*"]), ct);
        var consumer = await js.CreateOrUpdateConsumerAsync("EVENTS", new ConsumerConfig("c1"), ct);

        var got = new List<string>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loop = Task.Run(async () =>
        {
            await foreach (var msg in consumer.ConsumeAsync<string>(cancellationToken: stop.Token))
            {
                await msg.AckAsync(cancellationToken: stop.Token);
                lock (got)
                {
                    got.Add(msg.Data!);
                    if (got.Count == 50)
                    {
                        return;
                    }
                }
            }
        }, ct);
        for (var i = 0; i < 50; i++)
        {
            (await js.PublishAsync("events.a", $"e{i}", cancellationToken: ct)).EnsureSuccess();
        }
        await loop.WaitAsync(TimeSpan.FromSeconds(20), ct);
        Assert.That(got, Is.EqualTo(Enumerable.Range(0, 50).Select(i => $"e{i}")));
    }

    [Test]
    public async Task A_push_consumer_delivers_to_its_subject_showing_the_stored_subject(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("PUSH", ["push.>"]), ct);
        for (var i = 0; i < 5; i++)
        {
            (await js.PublishAsync($"push.k{i}", i, cancellationToken: ct)).EnsureSuccess();
        }
        await using var sub = await nats.Connection.SubscribeCoreAsync<int>("deliver.here", cancellationToken: ct);
        await js.CreateOrUpdateConsumerAsync("PUSH", new ConsumerConfig("pusher") { DeliverSubject = "deliver.here", AckPolicy = ConsumerConfigAckPolicy.Explicit }, ct);
        var subjects = new List<string>();
        await foreach (var msg in sub.Msgs.ReadAllAsync(ct))
        {
            subjects.Add(msg.Subject);
            Assert.That(msg.ReplyTo, Does.StartWith("$JS.ACK.PUSH.pusher."));
            await msg.ReplyAsync(Array.Empty<byte>(), cancellationToken: ct);
            if (subjects.Count == 5)
            {
                break;
            }
        }
        Assert.That(subjects, Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"push.k{i}")));
    }

    [Test]
    public async Task An_ordered_consumer_reads_the_stream(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("ORD", ["ord"]), ct);
        for (var i = 0; i < 30; i++)
        {
            (await js.PublishAsync("ord", i, cancellationToken: ct)).EnsureSuccess();
        }
        var consumer = await js.CreateOrderedConsumerAsync("ORD", cancellationToken: ct);
        var values = new List<int>();
        await foreach (var msg in consumer.ConsumeAsync<int>(cancellationToken: ct))
        {
            values.Add(msg.Data);
            if (values.Count == 30)
            {
                break;
            }
        }
        Assert.That(values, Is.EqualTo(Enumerable.Range(0, 30)));
    }

    [Test]
    public async Task Stream_data_and_consumer_state_survive_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        {
            await using var nats = server.Client();
            var js = nats.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("KEEP", ["keep.>"]), ct);
            for (var i = 0; i < 10; i++)
            {
                (await js.PublishAsync("keep.x", $"v{i}", cancellationToken: ct)).EnsureSuccess();
            }
            var consumer = await js.CreateOrUpdateConsumerAsync("KEEP", new ConsumerConfig("d"), ct);
            await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 4, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
            {
                await msg.AckAsync(new AckOpts { DoubleAck = true }, cancellationToken: ct);
            }
        }
        await server.RestartAsync();
        {
            await using var nats = server.Client();
            var js = nats.CreateJetStreamContext();
            var stream = await js.GetStreamAsync("KEEP", cancellationToken: ct);
            Assert.That(stream.Info.State.Messages, Is.EqualTo(10));
            var consumer = await js.GetConsumerAsync("KEEP", "d", ct);
            var rest = new List<string>();
            await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 6, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
            {
                rest.Add(msg.Data!);
                await msg.AckAsync(cancellationToken: ct);
            }
            Assert.That(rest, Is.EqualTo(Enumerable.Range(4, 6).Select(i => $"v{i}")));
        }
    }

    [Test]
    public async Task Errors_come_back_as_nats_server_sends_them(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        var notFound = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.GetStreamAsync("NOPE", cancellationToken: ct))!;
        Assert.That((notFound.Error.Code, notFound.Error.ErrCode), Is.EqualTo((404, 10059)));
        await js.CreateStreamAsync(new StreamConfig("A", ["same.>"]), ct);
        var overlap = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig("B", ["same.x"]), ct))!;
        Assert.That(overlap.Error.ErrCode, Is.EqualTo(10065));
        var account = await js.GetAccountInfoAsync(ct);
        Assert.That(account.Streams, Is.EqualTo(1));
    }

    [Test]
    public async Task Info_says_jetstream_and_jsz_and_varz_show_usage(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        await nats.ConnectAsync();
        Assert.That(nats.Connection.ServerInfo!.JetStreamAvailable, Is.True);
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("Z", ["z"]), ct);
        (await js.PublishAsync("z", "hello", cancellationToken: ct)).EnsureSuccess();

        var jsz = System.Text.Json.JsonDocument.Parse(Nats.Core.Monitoring.MonitoringServer.Serialize(
            server.Server.Monitoring.Invoke("/jsz", [new("streams", "true"), new("config", "true")]))).RootElement;
        Assert.That((jsz.GetProperty("streams").GetInt32(), jsz.GetProperty("messages").GetInt32(), jsz.GetProperty("accounts").GetInt32()), Is.EqualTo((1, 1, 1)));
        var detail = jsz.GetProperty("account_details")[0];
        Assert.That(detail.GetProperty("name").GetString(), Is.EqualTo("$G"));
        var streamDetail = detail.GetProperty("stream_detail")[0];
        Assert.That((streamDetail.GetProperty("name").GetString(), streamDetail.GetProperty("config").GetProperty("subjects")[0].GetString(),
            streamDetail.GetProperty("state").GetProperty("messages").GetInt32()), Is.EqualTo(("Z", "z", 1)));

        var varz = System.Text.Json.JsonDocument.Parse(Nats.Core.Monitoring.MonitoringServer.Serialize(server.Server.Monitoring.Invoke("/varz"))).RootElement;
        var block = varz.GetProperty("jetstream");
        Assert.That(block.GetProperty("config").GetProperty("store_dir").GetString(), Is.EqualTo(Path.Combine(server.StoreDir, "jetstream")));
        Assert.That(block.GetProperty("stats").GetProperty("api").GetProperty("total").GetInt32(), Is.GreaterThanOrEqualTo(1));
    }
}

/// <summary>Direct get as nats-server answers it (headers and statuses), over the wire.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class DirectGetTests
{
    [Test]
    public async Task Direct_get_answers_with_the_stream_headers_or_a_status(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("D", ["d.>"]) { AllowDirect = true }, ct);
        await js.CreateStreamAsync(new StreamConfig("ND", ["nd.>"]), ct);
        var headers = new NatsHeaders { ["X-Mine"] = "1" };
        (await js.PublishAsync("d.a", "first", headers: headers, cancellationToken: ct)).EnsureSuccess();
        (await js.PublishAsync("d.b", "second", cancellationToken: ct)).EnsureSuccess();

        var bySeq = await nats.Connection.RequestAsync<string, string>("$JS.API.DIRECT.GET.D", "{\"seq\":1}", cancellationToken: ct);
        Assert.That((bySeq.Data, bySeq.Headers!["Nats-Stream"].ToString(), bySeq.Headers["Nats-Subject"].ToString(), bySeq.Headers["Nats-Sequence"].ToString(), bySeq.Headers["X-Mine"].ToString()),
            Is.EqualTo(("first", "D", "d.a", "1", "1")));
        Assert.That(DateTime.Parse(bySeq.Headers["Nats-Time-Stamp"].ToString()).ToUniversalTime(), Is.EqualTo(DateTime.UtcNow).Within(TimeSpan.FromMinutes(1)));

        var last = await nats.Connection.RequestAsync<string, string>("$JS.API.DIRECT.GET.D.d.b", null, cancellationToken: ct);
        Assert.That((last.Data, last.Headers!["Nats-Sequence"].ToString()), Is.EqualTo(("second", "2")));

        var missing = await nats.Connection.RequestAsync<string, string>("$JS.API.DIRECT.GET.D", "{\"seq\":99}", cancellationToken: ct);
        Assert.That((missing.Headers!.Code, missing.Headers.MessageText), Is.EqualTo((404, "Message Not Found")));
        var empty = await nats.Connection.RequestAsync<string, string>("$JS.API.DIRECT.GET.D", "", cancellationToken: ct);
        Assert.That((empty.Headers!.Code, empty.Headers.MessageText), Is.EqualTo((408, "Empty Request")));

        // Without allow_direct nobody answers (nats-server subscribes only for streams that allow it).
        Assert.ThrowsAsync<NatsNoReplyException>(async () =>
            await nats.Connection.RequestAsync<string, string>("$JS.API.DIRECT.GET.ND", "{\"seq\":1}", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromMilliseconds(500) }, cancellationToken: ct));
    }
}
