using System.Text;
using Nats.JetStream.Storage;
using Nats.JetStream.Tests.Engine;
using static Nats.JetStream.Tests.Engine.AccountHarness;

namespace Nats.JetStream.Tests.Api;

/// <summary>The stream requests of $JS.API answered by JsAccount.HandleApi, with nats-server's JSON and error codes.</summary>
[TestFixture(StorageType.File)]
[TestFixture(StorageType.Memory)]
[CancelAfter(30_000)]
public sealed class StreamApiTests(StorageType type)
{
    private AccountHarness _h = null!;

    [SetUp]
    public void SetUp() => _h = new AccountHarness(type);

    [TearDown]
    public void TearDown() => _h.Dispose();

    [Test]
    public void CreateReturnsInfoWithDefaultsAndIsIdempotent()
    {
        var r = _h.CreateStream("ORDERS", "", "orders.*");
        Assert.That(r.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.stream_create_response"));
        Assert.That(r.GetProperty("did_create").GetBoolean(), Is.True);
        var cfg = r.GetProperty("config");
        Assert.That(cfg.GetProperty("max_msgs").GetInt64(), Is.EqualTo(-1));
        Assert.That(cfg.GetProperty("duplicate_window").GetInt64(), Is.EqualTo(120_000_000_000L));
        Assert.That(cfg.GetProperty("num_replicas").GetInt32(), Is.EqualTo(1));
        Assert.That(r.GetProperty("state").GetProperty("messages").GetUInt64(), Is.Zero);
        Assert.That(r.GetProperty("state").GetProperty("first_ts").GetString(), Is.EqualTo("0001-01-01T00:00:00Z"), "Go's zero time, with its zone");
        Assert.That(r.GetProperty("created").GetString(), Does.EndWith("Z"));

        var again = _h.Api("STREAM.CREATE.ORDERS", $"{{\"name\":\"ORDERS\",\"subjects\":[\"orders.*\"],\"storage\":\"{_h.StorageName}\"}}");
        Assert.That(ErrCode(again), Is.Zero, "same config again is fine");
        var different = _h.Api("STREAM.CREATE.ORDERS", $"{{\"name\":\"ORDERS\",\"subjects\":[\"orders.*\"],\"max_msgs\":5,\"storage\":\"{_h.StorageName}\"}}");
        Assert.That(ErrCode(different), Is.EqualTo(10058));
        Assert.That(different.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("stream name already in use with a different configuration"));
        Assert.That(different.GetProperty("error").GetProperty("code").GetInt32(), Is.EqualTo(400));
    }

    [Test]
    public void CreateErrors()
    {
        Assert.That(ErrCode(_h.Api("STREAM.CREATE.A", "{\"name\":\"B\"}")), Is.EqualTo(10056), "name mismatch");
        var unknown = _h.Api("STREAM.CREATE.A", "{\"name\":\"A\",\"bogus\":1}");
        Assert.That(ErrCode(unknown), Is.EqualTo(10025));
        Assert.That(unknown.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("invalid JSON: json: unknown field \"bogus\""));
        _h.CreateStream("A", "", "a.>");
        Assert.That(ErrCode(_h.Api("STREAM.CREATE.B", "{\"name\":\"B\",\"subjects\":[\"a.b\"]}")), Is.EqualTo(10065), "overlap");
        Assert.That(ErrCode(_h.Api("STREAM.CREATE.C", "{\"name\":\"C\",\"num_replicas\":3}")), Is.EqualTo(10074));
        Assert.That(ErrCode(_h.Api("STREAM.CREATE.D", "{\"name\":\"D\",\"sealed\":true}")), Is.EqualTo(10052));
        Assert.That(ErrCode(_h.Api("STREAM.UPDATE.X", "{\"name\":\"X\"}")), Is.EqualTo(10059));
    }

    [TestCase("{\"name\":\"M\",\"mirror\":{\"name\":\"A\",\"consumer\":{\"name\":\"C\"}}}", "mirrors with consumer settings are not supported by this server")]
    [TestCase("{\"name\":\"M\",\"sources\":[{\"name\":\"A\",\"consumer\":{\"name\":\"C\"}}]}", "sources with consumer settings are not supported by this server")]
    [TestCase("{\"name\":\"M\",\"subjects\":[\"m\"],\"allow_msg_counter\":true}", "message counters are not supported by this server")]
    public void UnbuiltFeaturesAreRefusedClearly(string json, string text)
    {
        var r = _h.Api("STREAM.CREATE.M", json);
        Assert.That(ErrCode(r), Is.EqualTo(10052));
        Assert.That(r.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo(text));
        Assert.That(_h.Account.StreamNames(), Is.Empty);
    }

    [Test]
    public async Task InfoNamesListUpdateDelete()
    {
        _h.CreateStream("A", "", "a.*");
        _h.CreateStream("B", "", "b.*");
        await _h.PublishAsync("a.1");
        await _h.PublishAsync("a.2");
        await _h.PublishAsync("a.2");
        var info = _h.Api("STREAM.INFO.A", "{\"subjects_filter\":\">\"}");
        Assert.That(info.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.stream_info_response"));
        Assert.That(info.GetProperty("state").GetProperty("messages").GetUInt64(), Is.EqualTo(3));
        Assert.That(info.GetProperty("state").GetProperty("subjects").GetProperty("a.2").GetUInt64(), Is.EqualTo(2));
        Assert.That(info.GetProperty("total").GetInt32(), Is.EqualTo(2));

        var names = _h.Api("STREAM.NAMES", "{\"subject\":\"b.x\"}");
        Assert.That(names.GetProperty("streams").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "B" }));
        var list = _h.Api("STREAM.LIST");
        Assert.That(list.GetProperty("total").GetInt32(), Is.EqualTo(2));
        Assert.That(list.GetProperty("limit").GetInt32(), Is.EqualTo(256));
        Assert.That(list.GetProperty("streams")[0].TryGetProperty("type", out _), Is.False);

        var updated = _h.Api("STREAM.UPDATE.A", $"{{\"name\":\"A\",\"subjects\":[\"a.*\"],\"max_msgs_per_subject\":1,\"storage\":\"{_h.StorageName}\"}}");
        Assert.That(ErrCode(updated), Is.Zero, updated.ToString());
        Assert.That(updated.GetProperty("state").GetProperty("messages").GetUInt64(), Is.EqualTo(2), "the new limit applies at once");
        var storageChange = _h.Api("STREAM.UPDATE.A", $"{{\"name\":\"A\",\"subjects\":[\"a.*\"],\"storage\":\"{(_h.StorageName == "file" ? "memory" : "file")}\"}}");
        Assert.That(storageChange.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("stream configuration update can not change storage type"));

        var deleted = _h.Api("STREAM.DELETE.A");
        Assert.That(deleted.GetProperty("success").GetBoolean(), Is.True);
        Assert.That(ErrCode(_h.Api("STREAM.INFO.A")), Is.EqualTo(10059));
        Assert.That(_h.Account.HandlePublish("a.1", null, default, "x"u8), Is.False);
    }

    [Test]
    public async Task PurgeMsgGetAndDelete()
    {
        _h.CreateStream("S", "", "s.*");
        for (var i = 1; i <= 6; i++)
        {
            await _h.PublishAsync(i % 2 == 0 ? "s.even" : "s.odd", "m" + i, i == 1 ? "NATS/1.0\r\nK: v\r\n\r\n" : null);
        }
        var got = _h.Api("STREAM.MSG.GET.S", "{\"seq\":1}");
        var message = got.GetProperty("message");
        Assert.That(message.GetProperty("subject").GetString(), Is.EqualTo("s.odd"));
        Assert.That(Encoding.UTF8.GetString(message.GetProperty("data").GetBytesFromBase64()), Is.EqualTo("m1"));
        Assert.That(Encoding.ASCII.GetString(message.GetProperty("hdrs").GetBytesFromBase64()), Does.Contain("K: v"));
        var last = _h.Api("STREAM.MSG.GET.S", "{\"last_by_subj\":\"s.even\"}");
        Assert.That(last.GetProperty("message").GetProperty("seq").GetUInt64(), Is.EqualTo(6));
        var next = _h.Api("STREAM.MSG.GET.S", "{\"seq\":2,\"next_by_subj\":\"s.odd\"}");
        Assert.That(next.GetProperty("message").GetProperty("seq").GetUInt64(), Is.EqualTo(3));
        Assert.That(ErrCode(_h.Api("STREAM.MSG.GET.S", "{\"seq\":99}")), Is.EqualTo(10037));
        Assert.That(ErrCode(_h.Api("STREAM.MSG.GET.S", "{}")), Is.EqualTo(10003));

        Assert.That(_h.Api("STREAM.MSG.DELETE.S", "{\"seq\":2}").GetProperty("success").GetBoolean(), Is.True);
        var missing = _h.Api("STREAM.MSG.DELETE.S", "{\"seq\":2}");
        Assert.That(ErrCode(missing), Is.EqualTo(10043));
        Assert.That(missing.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("sequence 2 not found"));

        var purged = _h.Api("STREAM.PURGE.S", "{\"filter\":\"s.odd\",\"keep\":1}");
        Assert.That(purged.GetProperty("purged").GetUInt64(), Is.EqualTo(2));
        Assert.That(_h.Api("STREAM.PURGE.S").GetProperty("purged").GetUInt64(), Is.EqualTo(3));
        Assert.That(_h.Api("STREAM.INFO.S").GetProperty("state").GetProperty("messages").GetUInt64(), Is.Zero);
    }

    [Test]
    public void DenyDeleteAndPurge()
    {
        _h.CreateStream("S", ",\"deny_delete\":true,\"deny_purge\":true", "s.*");
        var del = _h.Api("STREAM.MSG.DELETE.S", "{\"seq\":1}");
        Assert.That(ErrCode(del), Is.EqualTo(10057));
        Assert.That(del.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("message delete not permitted"));
        var purge = _h.Api("STREAM.PURGE.S");
        Assert.That(ErrCode(purge), Is.EqualTo(10110));
        Assert.That(purge.GetProperty("error").GetProperty("description").GetString(), Is.EqualTo("stream purge not permitted"));
    }

    [Test]
    public async Task AccountInfoCountsStreamsConsumersAndBytes()
    {
        _h.CreateStream("S", "", "s.*");
        _h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        await _h.PublishAsync("s.1", "hello");
        var info = _h.Api("INFO");
        Assert.That(info.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.api.v1.account_info_response"));
        Assert.That(info.GetProperty("streams").GetInt32(), Is.EqualTo(1));
        Assert.That(info.GetProperty("consumers").GetInt32(), Is.EqualTo(1));
        Assert.That(info.GetProperty(type == StorageType.File ? "storage" : "memory").GetUInt64(), Is.GreaterThan(0));
        Assert.That(info.GetProperty("api").GetProperty("total").GetUInt64(), Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public void UnknownSubjectsGetNoAnswer() =>
        Assert.That(_h.Account.HandleApi("$JS.API.STREAM.FROB.S", "r", default, default), Is.Null);
}
