using Nats.JetStream.Storage;
using Nats.JetStream.Tests.Engine;
using static Nats.JetStream.Tests.Engine.AccountHarness;

namespace Nats.JetStream.Tests.Api;

/// <summary>The consumer requests of $JS.API: create forms, checks in nats-server's order, info, names, list, delete.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class ConsumerApiTests(StorageType type)
{
    private AccountHarness _h = null!;

    [SetUp]
    public void SetUp()
    {
        _h = new AccountHarness(type);
        _h.CreateStream("S", "", "s.>");
    }

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void CreateFormsAndDefaults()
    {
        var r = _h.CreateConsumer("S", "C1", "\"durable_name\":\"C1\",\"ack_policy\":\"explicit\"");
        Assert.That(r.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.consumer_create_response"));
        Assert.That(r.GetProperty("name").GetString(), Is.EqualTo("C1"));
        Assert.That(r.GetProperty("stream_name").GetString(), Is.EqualTo("S"));
        var cfg = r.GetProperty("config");
        Assert.That(cfg.GetProperty("ack_wait").GetInt64(), Is.EqualTo(30_000_000_000L));
        Assert.That(cfg.GetProperty("max_ack_pending").GetInt32(), Is.EqualTo(1000));
        Assert.That(cfg.GetProperty("max_waiting").GetInt32(), Is.EqualTo(512));
        Assert.That(cfg.GetProperty("max_deliver").GetInt32(), Is.EqualTo(-1));

        var legacyDurable = _h.Api("CONSUMER.DURABLE.CREATE.S.D", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}");
        Assert.That(legacyDurable.GetProperty("name").GetString(), Is.EqualTo("D"));
        var ephemeral = _h.Api("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"ack_policy\":\"none\",\"deliver_subject\":\"push.x\"}}");
        Assert.That(ephemeral.GetProperty("name").GetString(), Has.Length.EqualTo(8));
        var filtered = _h.Api("CONSUMER.CREATE.S.F.s.a.*", "{\"stream_name\":\"S\",\"config\":{\"name\":\"F\",\"filter_subject\":\"s.a.*\"}}");
        Assert.That(ErrCode(filtered), Is.Zero, filtered.ToString());
    }

    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"T\",\"config\":{}}", 10056)]
    [TestCase("CONSUMER.CREATE.S.X.s.a", "{\"stream_name\":\"S\",\"config\":{\"filter_subject\":\"s.b\"}}", 10131)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"Y\"}}", 10017)]
    [TestCase("CONSUMER.DURABLE.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{}}", 10018)]
    [TestCase("CONSUMER.CREATE.S", "{\"stream_name\":\"S\",\"config\":{\"durable_name\":\"Y\"}}", 10020)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\"}", 10078)]
    [TestCase("CONSUMER.CREATE.Q.X", "{\"stream_name\":\"Q\",\"config\":{}}", 10059)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_subject\":\"s.loop\"}}", 10081)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_subject\":\"p.*\"}}", 10079)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"idle_heartbeat\":1000000000}}", 10088)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_subject\":\"p\",\"idle_heartbeat\":1000}}", 10083)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_subject\":\"p\",\"flow_control\":true}}", 10108)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"rate_limit_bps\":100}}", 10086)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"by_start_sequence\"}}", 10094)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"last_per_subject\"}}", 10094)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"filter_subjects\":[\"s.a\",\"s.*\"]}}", 10138)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"ack_policy\":\"explicit\",\"backoff\":[1000000000,2000000000],\"max_deliver\":1}}", 10116)]
    [TestCase("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"bogus\":1}}", 10025)]
    public void CreateErrors(string subject, string body, int errCode)
    {
        var r = _h.Api(subject, body);
        Assert.That(ErrCode(r), Is.EqualTo(errCode), r.ToString());
        Assert.That(r.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.consumer_create_response"));
    }

    [Test]
    public void PolicyErrorTextIsNatsServers()
    {
        var r = _h.Api("CONSUMER.CREATE.S.X", "{\"stream_name\":\"S\",\"config\":{\"deliver_policy\":\"by_start_sequence\"}}");
        Assert.That(r.GetProperty("error").GetProperty("description").GetString(),
            Is.EqualTo("consumer delivery policy is deliver by start sequence, but optional start sequence is not set"));
    }

    [Test]
    public void CreateActionsAndUpdates()
    {
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        Assert.That(ErrCode(_h.Api("CONSUMER.CREATE.S.C", "{\"stream_name\":\"S\",\"config\":{\"name\":\"C\",\"ack_policy\":\"explicit\",\"max_deliver\":5},\"action\":\"create\"}")), Is.EqualTo(10148));
        Assert.That(ErrCode(_h.Api("CONSUMER.CREATE.S.N", "{\"stream_name\":\"S\",\"config\":{\"name\":\"N\"},\"action\":\"update\"}")), Is.EqualTo(10149));
        var same = _h.Api("CONSUMER.CREATE.S.C", "{\"stream_name\":\"S\",\"config\":{\"name\":\"C\",\"ack_policy\":\"explicit\"},\"action\":\"create\"}");
        Assert.That(ErrCode(same), Is.Zero, "the same config is not a conflict");
        var updated = _h.Api("CONSUMER.CREATE.S.C", "{\"stream_name\":\"S\",\"config\":{\"name\":\"C\",\"ack_policy\":\"explicit\",\"max_deliver\":5}}");
        Assert.That(updated.GetProperty("config").GetProperty("max_deliver").GetInt32(), Is.EqualTo(5));
        var bad = _h.Api("CONSUMER.CREATE.S.C", "{\"stream_name\":\"S\",\"config\":{\"name\":\"C\",\"ack_policy\":\"all\"}}");
        Assert.That(ErrCode(bad), Is.EqualTo(10012));
        Assert.That(bad.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("ack policy can not be updated"));
    }

    [Test]
    public void InfoNamesListDelete()
    {
        _h.CreateConsumer("S", "B", "");
        _h.CreateConsumer("S", "A", "");
        var names = _h.Api("CONSUMER.NAMES.S");
        Assert.That(names.GetProperty("consumers").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "A", "B" }));
        Assert.That(names.GetProperty("total").GetInt32(), Is.EqualTo(2));
        var list = _h.Api("CONSUMER.LIST.S", "{\"offset\":1}");
        Assert.That(list.GetProperty("consumers").GetArrayLength(), Is.EqualTo(1));
        Assert.That(list.GetProperty("consumers")[0].GetProperty("name").GetString(), Is.EqualTo("B"));
        Assert.That(_h.ConsumerInfo("S", "A").GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.consumer_info_response"));
        Assert.That(_h.Api("CONSUMER.DELETE.S.A").GetProperty("success").GetBoolean(), Is.True);
        var gone = _h.ConsumerInfo("S", "A");
        Assert.That(ErrCode(gone), Is.EqualTo(10014));
        Assert.That(gone.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(404));
        Assert.That(ErrCode(_h.Api("CONSUMER.DELETE.S.A")), Is.EqualTo(10014));
        Assert.That(ErrCode(_h.Api("CONSUMER.NAMES.Q")), Is.EqualTo(10059));
    }

    [Test]
    public void WorkQueueConsumersMustNotOverlap()
    {
        _h.CreateStream("W", ",\"retention\":\"workqueue\"", "w.>");
        _h.CreateConsumer("W", "A", "\"ack_policy\":\"explicit\",\"filter_subject\":\"w.a.>\"");
        Assert.That(ErrCode(_h.Api("CONSUMER.CREATE.W.B", "{\"stream_name\":\"W\",\"config\":{\"name\":\"B\",\"ack_policy\":\"explicit\",\"filter_subject\":\"w.*.x\"}}")), Is.EqualTo(10100));
        Assert.That(ErrCode(_h.Api("CONSUMER.CREATE.W.B", "{\"stream_name\":\"W\",\"config\":{\"name\":\"B\",\"ack_policy\":\"none\"}}")), Is.EqualTo(10084));
        _h.CreateConsumer("W", "C", "\"ack_policy\":\"explicit\",\"filter_subject\":\"w.b.>\"");
    }

    [Test]
    public void StreamMaxConsumers()
    {
        _h.CreateStream("L", ",\"max_consumers\":1", "l.>");
        _h.CreateConsumer("L", "A", "");
        Assert.That(ErrCode(_h.Api("CONSUMER.CREATE.L.B", "{\"stream_name\":\"L\",\"config\":{\"name\":\"B\"}}")), Is.EqualTo(10026));
    }
}
