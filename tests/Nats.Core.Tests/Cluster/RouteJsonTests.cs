using System.Text;
using System.Text.Json;
using Nats.Core.Cluster;

namespace Nats.Core.Tests.Cluster;

/// <summary>
/// The hand-written route INFO/CONNECT JSON (kept off the serializer for the join's sake) must
/// say and accept exactly what the source-generated serializer did: same text out, same
/// objects in, the same inputs refused.
/// </summary>
[TestFixture]
public sealed class RouteJsonTests
{
    private static RouteInfo Full() => new()
    {
        ServerId = "NSERVER",
        ServerName = "a \"name\"",
        Version = "2.11.0",
        Proto = 2,
        Go = "dotnet10",
        Host = "127.0.0.1",
        Port = 6222,
        Headers = true,
        AuthRequired = true,
        TlsRequired = true,
        TlsVerify = true,
        MaxPayload = 1 << 20,
        JetStream = true,
        Ip = "nats-route://127.0.0.1:6222/",
        Nonce = "abc",
        Cluster = "c1",
        ClusterDynamic = true,
        Domain = "d",
        ConnectUrls = ["127.0.0.1:4222", "[::1]:4222"],
        LameDuckMode = true,
        LeafNodeOriginCluster = true,
        AdvertisedFields = new Dictionary<string, JsonElement>
        {
            ["ws_connect_urls"] = JsonDocument.Parse("""["127.0.0.1:8080"]""").RootElement.Clone(),
            ["gateway"] = JsonDocument.Parse("\"g1\"").RootElement.Clone(),
            ["leafnode_urls"] = JsonDocument.Parse("""["127.0.0.1:7422"]""").RootElement.Clone(),
        },
    };

    private static string Serializer(RouteInfo info) => JsonSerializer.Serialize(info, RouteJsonContext.Default.RouteInfo);

    private static string Serializer(RouteConnect connect) => JsonSerializer.Serialize(connect, RouteJsonContext.Default.RouteConnect);

    private static string Line(byte[] line, string verb, string end) =>
        Encoding.UTF8.GetString(line)[(verb.Length + 1)..^end.Length];

    [Test]
    public void Info_is_written_as_the_serializer_wrote_it()
    {
        foreach (var info in new[] { Full(), new RouteInfo { ServerId = "N" }, new RouteInfo() })
        {
            Assert.That(Line(info.ToProtocolLine(), "INFO", " \r\n"), Is.EqualTo(Serializer(info)));
        }
    }

    [Test]
    public void Connect_is_written_as_the_serializer_wrote_it()
    {
        var full = new RouteConnect
        {
            Echo = true, Verbose = true, Pedantic = true, User = "u", Pass = "p\\w", TlsRequired = true, Headers = true,
            Name = "NSERVER", Cluster = "c1", ClusterDynamic = true, Lang = "go", Gateway = "g",
        };
        foreach (var connect in new[] { full, new RouteConnect(), new RouteConnect { Echo = false } })
        {
            Assert.That(Line(connect.ToProtocolLine(), "CONNECT", "\r\n"), Is.EqualTo(Serializer(connect)));
        }
    }

    [Test]
    public void Info_read_back_equals_what_the_serializer_reads()
    {
        var json = Serializer(Full());
        var mine = RouteInfo.Parse(Encoding.UTF8.GetBytes(json))!;
        var theirs = JsonSerializer.Deserialize(json, RouteJsonContext.Default.RouteInfo)!;
        Assert.That(Serializer(mine), Is.EqualTo(Serializer(theirs)));
        Assert.That(mine.AdvertisedFields!.Keys, Is.EquivalentTo(new[] { "ws_connect_urls", "gateway", "leafnode_urls" }));
    }

    [TestCase("""{"SERVER_ID":"X","Port":7,"CONNECT_URLS":null,"unknown":{"a":[1,2]},"ldm":true}""")]
    [TestCase("""{"server_id":"X","connect_urls":["a",null],"extra":1.5,"headers":false}""")]
    [TestCase("""{}""")]
    public void Names_are_case_insensitive_and_unknown_fields_are_kept_as_the_serializer_does(string json)
    {
        var mine = RouteInfo.Parse(Encoding.UTF8.GetBytes(json))!;
        var theirs = JsonSerializer.Deserialize(json, RouteJsonContext.Default.RouteInfo)!;
        Assert.That(Serializer(mine), Is.EqualTo(Serializer(theirs)));
    }

    [TestCase("""{"echo":false,"NAME":"N","user":"u","pass":null,"unknown":[{}],"cluster_dynamic":true}""")]
    [TestCase("""{"lang":"go","verbose":false,"pedantic":true,"gateway":"g","tls_required":true}""")]
    public void Connect_read_back_equals_what_the_serializer_reads(string json)
    {
        var mine = RouteConnect.Parse(Encoding.UTF8.GetBytes(json))!;
        var theirs = JsonSerializer.Deserialize(json, RouteJsonContext.Default.RouteConnect)!;
        Assert.That(Serializer(mine), Is.EqualTo(Serializer(theirs)));
    }

    [TestCase("")]
    [TestCase("null")]
    [TestCase("[]")]
    [TestCase("""{"port":"6222"}""")]
    [TestCase("""{"port":1.5}""")]
    [TestCase("""{"port":99999999999}""")]
    [TestCase("""{"headers":"yes"}""")]
    [TestCase("""{"connect_urls":"a"}""")]
    [TestCase("""{"connect_urls":[1]}""")]
    [TestCase("""{"server_id":"X"} {}""")]
    [TestCase("""{"server_id":"X",}""")]
    [TestCase("{\"server_id\":\"X\\\"")]
    public void Malformed_info_is_refused_as_the_serializer_refuses_it(string json)
    {
        Assert.That(RouteInfo.Parse(Encoding.UTF8.GetBytes(json)), Is.Null);
        RouteInfo? theirs;
        try
        {
            theirs = JsonSerializer.Deserialize(json, RouteJsonContext.Default.RouteInfo);
        }
        catch (JsonException)
        {
            theirs = null;
        }
        Assert.That(theirs, Is.Null, "the serializer refuses it too");
    }
}
