using System.Text.Json;
using Nats.Core.Monitoring;

namespace Nats.Core.Tests.Monitoring;

/// <summary>Strings escaped as Go's encoding/json escapes them (what nats-server writes).</summary>
[TestFixture]
public sealed class GoJsonEncoderTests
{
    private static string Encode(string value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = GoJsonEncoder.Instance });

    [TestCase("<a&b>", "\"\\u003ca\\u0026b\\u003e\"")]
    [TestCase("it's a+b", "\"it's a+b\"")]
    [TestCase("tab\there\nnl\r\b\f", "\"tab\\there\\nnl\\r\\b\\f\"")]
    [TestCase("\u0001\u001f", "\"\\u0001\\u001f\"")]
    [TestCase("q\"b\\", "\"q\\\"b\\\\\"")]
    [TestCase("455µs é 日本 😀", "\"455µs é 日本 😀\"")]
    [TestCase("\u2028\u2029", "\"\\u2028\\u2029\"")]
    public void EscapesAsGoDoes(string value, string expected) => Assert.That(Encode(value), Is.EqualTo(expected));

    /// <summary>The UTF-8 scan (used for UTF-8 input): € shares U+2028's lead byte 0xE2 and stays as is.</summary>
    [TestCase("€ 100 <b>", "\"€ 100 \\u003cb\\u003e\"")]
    [TestCase("a\u2028b\u2029", "\"a\\u2028b\\u2029\"")]
    [TestCase("plain ascii", "\"plain ascii\"")]
    public void EscapesUtf8InputAsGoDoes(string value, string expected)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
        {
            writer.WriteStringValue(System.Text.Encoding.UTF8.GetBytes(value));
        }
        Assert.That(System.Text.Encoding.UTF8.GetString(buffer.ToArray()), Is.EqualTo(expected));
    }

    [Test]
    public void MonitoringJsonUsesIt() =>
        Assert.That(JsonSerializer.Serialize(new { s = "<'+>" }, MonitoringJson.Compact), Is.EqualTo("{\"s\":\"\\u003c'+\\u003e\"}"));
}
