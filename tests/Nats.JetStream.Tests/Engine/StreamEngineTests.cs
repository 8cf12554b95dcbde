using System.Text;
using Nats.JetStream.Api;
using Nats.JetStream.Engine;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>The stream's publish path fed directly: acks, errors and headers as nats-server answers them.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(20_000)]
public sealed class StreamEngineTests(StorageType type)
{
    private string _dir = null!;
    private RecordingOutput _out = null!;
    private JsStream? _stream;

    [SetUp]
    public void SetUp()
    {
        _dir = Path.Combine(Path.GetTempPath(), "js-eng-" + Guid.NewGuid().ToString("N"));
        _out = new RecordingOutput();
    }

    [TearDown]
    public void TearDown()
    {
        _stream?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
    }

    private JsStream Create(string json)
    {
        var cfg = StreamConfigCheck.Check(JsJson.Decode(Encoding.UTF8.GetBytes(json), JsJsonContext.Default.StreamConfig));
        MessageStore store = type == StorageType.File
            ? FileStore.Open(new FileStoreOptions { Directory = _dir }, StreamConfigCheck.ToStoreLimits(cfg))
            : new MemoryStore(StreamConfigCheck.ToStoreLimits(cfg));
        return _stream = new JsStream(cfg, store, _out);
    }

    private static byte[] Hdr(params (string Key, string Value)[] headers)
    {
        var sb = new StringBuilder("NATS/1.0\r\n");
        foreach (var (k, v) in headers)
        {
            sb.Append(k).Append(": ").Append(v).Append("\r\n");
        }
        return Encoding.ASCII.GetBytes(sb.Append("\r\n").ToString());
    }

    private async Task<string> PublishAsync(JsStream stream, string subject, string payload = "data", byte[]? headers = null)
    {
        var reply = "_INBOX." + Guid.NewGuid().ToString("N");
        stream.ProcessMessage(subject, reply, headers ?? default, Encoding.UTF8.GetBytes(payload));
        await Eventually.TrueAsync(() => _out.To(reply).Count == 1, "pub ack");
        return _out.To(reply)[0];
    }

    [Test]
    public async Task Publishes_are_acknowledged_with_their_sequence()
    {
        var stream = Create("""{"name":"ORDERS","subjects":["orders.>"]}""");
        Assert.That(await PublishAsync(stream, "orders.1"), Is.EqualTo("""{"stream":"ORDERS","seq":1}"""));
        Assert.That(await PublishAsync(stream, "orders.2"), Is.EqualTo("""{"stream":"ORDERS","seq":2}"""));
    }

    [Test]
    public async Task Duplicate_message_ids_are_acknowledged_as_duplicates()
    {
        var stream = Create("""{"name":"S","subjects":["s"]}""");
        Assert.That(await PublishAsync(stream, "s", headers: Hdr(("Nats-Msg-Id", "a"))), Is.EqualTo("""{"stream":"S","seq":1}"""));
        Assert.That(await PublishAsync(stream, "s", headers: Hdr(("Nats-Msg-Id", "a"))), Is.EqualTo("""{"stream":"S","seq":1,"duplicate": true}"""));
        Assert.That(stream.Store.State().Msgs, Is.EqualTo(1UL));
    }

    [Test]
    public async Task Expected_headers_are_checked()
    {
        var stream = Create("""{"name":"S","subjects":["s.*"]}""");
        await PublishAsync(stream, "s.a", headers: Hdr(("Nats-Msg-Id", "m1")));
        await PublishAsync(stream, "s.b");
        Assert.That(await PublishAsync(stream, "s.a", headers: Hdr(("Nats-Expected-Stream", "T"))),
            Is.EqualTo("""{"error":{"code":400,"err_code":10060,"description":"expected stream does not match"},"stream":"S","seq":0}"""));
        Assert.That(await PublishAsync(stream, "s.a", headers: Hdr(("Nats-Expected-Last-Sequence", "1"))),
            Is.EqualTo("""{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 2"},"stream":"S","seq":0}"""));
        Assert.That(await PublishAsync(stream, "s.a", headers: Hdr(("Nats-Expected-Last-Sequence", "2"))), Is.EqualTo("""{"stream":"S","seq":3}"""));
        Assert.That(await PublishAsync(stream, "s.b", headers: Hdr(("Nats-Expected-Last-Subject-Sequence", "2"))), Is.EqualTo("""{"stream":"S","seq":4}"""));
        Assert.That(await PublishAsync(stream, "s.b", headers: Hdr(("Nats-Expected-Last-Subject-Sequence", "2"))),
            Is.EqualTo("""{"error":{"code":400,"err_code":10071,"description":"wrong last sequence: 4"},"stream":"S","seq":0}"""));
        Assert.That(await PublishAsync(stream, "s.c", headers: Hdr(("Nats-Expected-Last-Msg-Id", "nope"))),
            Is.EqualTo("""{"error":{"code":400,"err_code":10070,"description":"wrong last msg ID: m1"},"stream":"S","seq":0}"""));
    }

    [Test]
    public async Task Rollups_purge_and_need_permission()
    {
        var denied = Create("""{"name":"S","subjects":["s.*"]}""");
        Assert.That(await PublishAsync(denied, "s.a", headers: Hdr(("Nats-Rollup", "sub"))),
            Is.EqualTo("""{"error":{"code":500,"err_code":10111,"description":"rollup not permitted"},"stream":"S","seq":0}"""));
        denied.Dispose();
        _stream = null;
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, true);
        }
        var stream = Create("""{"name":"R","subjects":["r.*"],"allow_rollup_hdrs":true}""");
        for (var i = 0; i < 3; i++)
        {
            await PublishAsync(stream, "r.a");
            await PublishAsync(stream, "r.b");
        }
        await PublishAsync(stream, "r.a", headers: Hdr(("Nats-Rollup", "sub")));
        Assert.That(stream.Store.SubjectsTotals(SubjectFilter.All), Is.EquivalentTo(new Dictionary<string, ulong> { ["r.a"] = 1, ["r.b"] = 3 }));
        await PublishAsync(stream, "r.b", headers: Hdr(("Nats-Rollup", "all")));
        Assert.That(stream.Store.State().Msgs, Is.EqualTo(1UL));
        Assert.That(await PublishAsync(stream, "r.b", headers: Hdr(("Nats-Rollup", "x"))), Does.Contain("rollup value invalid: \\\"x\\\""));
    }

    [Test]
    public async Task Message_ttl_needs_the_stream_to_allow_it()
    {
        var stream = Create("""{"name":"S","subjects":["s"]}""");
        Assert.That(await PublishAsync(stream, "s", headers: Hdr(("Nats-TTL", "5s"))), Does.Contain("\"err_code\":10166"));
        stream.Update(StreamConfigCheck.Check(JsJson.Decode("""{"name":"S","subjects":["s"],"allow_msg_ttl":true}"""u8, JsJsonContext.Default.StreamConfig)));
        Assert.That(await PublishAsync(stream, "s", headers: Hdr(("Nats-TTL", "500ms"))), Does.Contain("\"err_code\":10165"));
        Assert.That(await PublishAsync(stream, "s", headers: Hdr(("Nats-TTL", "1"))), Is.EqualTo("""{"stream":"S","seq":1}"""));
        await Eventually.TrueAsync(() => stream.Store.State().Msgs == 0, "the message expired");
    }

    [Test]
    public async Task Limits_with_discard_new_answer_store_errors()
    {
        var stream = Create("""{"name":"S","subjects":["s"],"max_msgs":1,"discard":"new"}""");
        await PublishAsync(stream, "s");
        Assert.That(await PublishAsync(stream, "s"),
            Is.EqualTo("""{"error":{"code":503,"err_code":10077,"description":"maximum messages exceeded"},"stream":"S","seq":0}"""));
    }

    [Test]
    public async Task Sealed_streams_and_message_size()
    {
        var stream = Create("""{"name":"S","subjects":["s"],"max_msg_size":4}""");
        Assert.That(await PublishAsync(stream, "s", "12345"), Does.Contain("\"err_code\":10054"));
        stream.Update(StreamConfigCheck.Check(JsJson.Decode("""{"name":"S","subjects":["s"],"sealed":true}"""u8, JsJsonContext.Default.StreamConfig)));
        Assert.That(await PublishAsync(stream, "s", "1"), Does.Contain("invalid operation on sealed stream"));
    }
}
