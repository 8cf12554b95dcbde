using System.Text;
using System.Text.Json;
using Nats.JetStream.Api;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Tests.Engine;

public sealed class StreamConfigTests
{
    private static StreamConfig Check(string json) => StreamConfigCheck.Check(JsJson.Decode(Encoding.UTF8.GetBytes(json), JsJsonContext.Default.StreamConfig));

    private static JsError Error(string json) => Assert.Throws<JsApiException>(() => Check(json))!.Error;

    [Test]
    public void Defaults_are_filled_as_nats_server_does()
    {
        var cfg = Check("""{"name":"ORDERS"}""");
        Assert.That(cfg.Subjects, Is.EqualTo(new[] { "ORDERS" }));
        Assert.That((cfg.MaxMsgs, cfg.MaxBytes, cfg.MaxMsgsPerSubject, cfg.MaxMsgSize, cfg.MaxConsumers, cfg.Replicas), Is.EqualTo((-1L, -1L, -1L, -1, -1, 1)));
        Assert.That(cfg.DuplicateWindow, Is.EqualTo(120_000_000_000L));
        Assert.That(Check("""{"name":"A","max_age":1000000000}""").DuplicateWindow, Is.EqualTo(1_000_000_000L));
        var json = JsonSerializer.Serialize(cfg, JsJsonContext.Default.StreamConfig);
        Assert.That(json, Does.Contain("\"retention\":\"limits\"").And.Contain("\"storage\":\"file\"").And.Contain("\"discard\":\"old\"").And.Contain("\"num_replicas\":1"));
    }

    [Test]
    public void Bad_configs_get_nats_server_errors()
    {
        Assert.That(Error("""{"name":"a.b"}""").Description, Is.EqualTo("stream name is required and can not contain '.', '*', '>', '\\', '/'"));
        Assert.That(Error("""{"name":""}""").ErrCode, Is.EqualTo(10052));
        Assert.That(Error("""{"name":"A","max_age":5}""").Description, Is.EqualTo("max age needs to be >= 100ms"));
        Assert.That(Error("""{"name":"A","deny_purge":true,"allow_rollup_hdrs":true}""").Description, Is.EqualTo("roll-ups require the purge permission"));
        Assert.That(Error("""{"name":"A","discard_new_per_subject":true}""").Description, Is.EqualTo("discard new per subject requires discard new policy to be set"));
        Assert.That(Error("""{"name":"A","num_replicas":-1}""").ErrCode, Is.EqualTo(10133));
        Assert.That(Error("""{"name":"A","subjects":["a.>","a.b"]}""").Description, Is.EqualTo("subject a.b overlaps with a.>"));
        Assert.That(Error("""{"name":"A","mirror":{"name":"B"},"subjects":["x"]}""").ErrCode, Is.EqualTo(10034));
    }

    [Test]
    public void Unknown_fields_and_bad_json_are_invalid_json()
    {
        var e = Assert.Throws<JsApiException>(() => JsJson.Decode("""{"name":"A","bogus":1}"""u8, JsJsonContext.Default.StreamConfig))!.Error;
        Assert.That((e.Code, e.ErrCode, e.Description), Is.EqualTo((400, 10025, "invalid JSON: json: unknown field \"bogus\"")));
        var bad = Assert.Throws<JsApiException>(() => JsJson.Decode("""{"name":"""u8, JsJsonContext.Default.StreamConfig))!.Error;
        Assert.That(bad.ErrCode, Is.EqualTo(10025));
        var retention = Assert.Throws<JsApiException>(() => JsJson.Decode("""{"name":"A","retention":"forever"}"""u8, JsJsonContext.Default.StreamConfig))!.Error;
        Assert.That(retention.ErrCode, Is.EqualTo(10025));
    }
}
