using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary>The value model: case-insensitive ordered maps, positions, typed accessors.</summary>
public class ConfValueTests
{
    [Test]
    public void LookupIgnoresCaseButKeepsSpellingAndOrder()
    {
        var map = Parse("Port = 4222\nhttp_PORT = 8222\ndebug = true");
        Assert.That(map["port"].AsLong(), Is.EqualTo(4222));
        Assert.That(map["HTTP_port"].AsLong(), Is.EqualTo(8222));
        Assert.That(map.ContainsKey("DEBUG"), Is.True);
        Assert.That(map.Keys, Is.EqualTo(new[] { "Port", "http_PORT", "debug" }));
        Assert.That(map.Count, Is.EqualTo(3));
    }

    [Test]
    public void DuplicateKeysLastWinsInPlace()
    {
        var map = Parse("a = 1\nb = 2\nA = 3");
        Assert.That(map.Keys, Is.EqualTo(new[] { "A", "b" }));
        Assert.That(map["a"].AsLong(), Is.EqualTo(3));
        Assert.That(map.TryGetEntry("a", out var entry), Is.True);
        Assert.That(entry!.KeyPosition, Is.EqualTo(new ConfPosition("", 3, 1)));
    }

    [Test]
    public void TryGetReportsAbsentKeys()
    {
        var map = Parse("a = 1");
        Assert.That(map.TryGet("b", out var value), Is.False);
        Assert.That(value, Is.Null);
        Assert.That(map.TryGetEntry("b", out var entry), Is.False);
        Assert.That(entry, Is.Null);
    }

    [Test]
    public void MissingKeyThroughIndexerNamesTheMapPosition()
    {
        var map = Parse("\ncluster {\n  port = 1\n}");
        var error = Assert.Throws<ConfigException>(() => _ = map["cluster"].AsMap()["name"])!;
        Assert.That(error.Message, Is.EqualTo("2:9: missing required option 'name'"));
    }

    [Test]
    public void ValuesAndKeysKnowTheirPositions()
    {
        var map = ConfParser.ParseString("\nfoo = {\n  ip = '127.0.0.1' # the IP\n  port= 4242 // the port\n  list [ a,\n    b ]\n}\n", "x.conf");
        Assert.That(map.TryGetEntry("foo", out var foo), Is.True);
        Assert.That(foo!.KeyPosition, Is.EqualTo(new ConfPosition("x.conf", 2, 1)));
        Assert.That(foo.Value.Position, Is.EqualTo(new ConfPosition("x.conf", 2, 7)));
        var inner = foo.Value.AsMap();
        Assert.That(inner.TryGetEntry("port", out var port), Is.True);
        Assert.That(port!.KeyPosition, Is.EqualTo(new ConfPosition("x.conf", 4, 3)));
        Assert.That(port.Value.Position, Is.EqualTo(new ConfPosition("x.conf", 4, 9)));
        Assert.That(inner["ip"].Position, Is.EqualTo(new ConfPosition("x.conf", 3, 8)));
        var list = inner["list"].AsList();
        Assert.That(list.Position, Is.EqualTo(new ConfPosition("x.conf", 5, 8)));
        Assert.That(list[1].Position, Is.EqualTo(new ConfPosition("x.conf", 6, 5)));
        Assert.That(list[1].Position.ToString(), Is.EqualTo("x.conf:6:5"));
    }

    [Test]
    public void ColumnsCountCharactersNotBytes()
    {
        var map = Parse("name = \"Føø\"; port = 1");
        Assert.That(map.TryGetEntry("port", out var port), Is.True);
        Assert.That(port!.KeyPosition.Column, Is.EqualTo(15));
    }

    [Test]
    public void WrongTypeIsAConfTypeExceptionWithPosition()
    {
        var map = Parse("port = \"4222\"\nmax = 1MB");
        var error = Assert.Throws<ConfTypeException>(() => map["port"].AsLong())!;
        Assert.That(error.Expected, Is.EqualTo(ConfValueKind.Integer));
        Assert.That(error.Actual, Is.EqualTo(ConfValueKind.String));
        Assert.That(error.Message, Is.EqualTo("1:8: expected an integer, got string \"4222\""));
        Assert.That(() => map["max"].AsString(), Throws.TypeOf<ConfTypeException>()
            .With.Message.EqualTo("2:7: expected a string, got integer 1MB (= 1048576)"));
        Assert.That(() => map["port"].AsMap(), Throws.TypeOf<ConfTypeException>());
        Assert.That(() => map["port"].AsList(), Throws.TypeOf<ConfTypeException>());
        Assert.That(() => map["port"].AsBool(), Throws.TypeOf<ConfTypeException>());
        Assert.That(() => map["port"].AsDateTime(), Throws.TypeOf<ConfTypeException>());
        Assert.That(() => map["port"].AsDouble(), Throws.TypeOf<ConfTypeException>());
    }

    [Test]
    public void IntegersConvertToDoubleButNotTheOtherWay()
    {
        var map = Parse("a = 2\nb = 0.5");
        Assert.That(map["a"].AsDouble(), Is.EqualTo(2.0));
        Assert.That(() => map["b"].AsLong(), Throws.TypeOf<ConfTypeException>());
    }

    [Test]
    public void AsIntChecksRange()
    {
        var map = Parse("a = 2147483647\nb = 2147483648");
        Assert.That(map["a"].AsInt(), Is.EqualTo(int.MaxValue));
        Assert.That(() => map["b"].AsInt(), Throws.TypeOf<ConfigException>().With.Message.Contains("out of range"));
    }

    [Test]
    public void SizeSuffixIsRecordedForUnquotedDurationWarnings()
    {
        var map = Parse("ping_interval: 2m\nport: 4222");
        var ping = (ConfInteger)map["ping_interval"];
        Assert.That(ping.Value, Is.EqualTo(2_000_000));
        Assert.That(ping.HasSizeSuffix, Is.True);
        Assert.That(ping.SourceText, Is.EqualTo("2m"));
        Assert.That(((ConfInteger)map["port"]).HasSizeSuffix, Is.False);
    }

    [Test]
    public void ListIsAReadOnlyListOfValues()
    {
        var list = Parse("a = [x, 1, true]")["a"].AsList();
        Assert.That(list, Has.Count.EqualTo(3));
        Assert.That(list.Select(v => v.Kind), Is.EqualTo(new[] { ConfValueKind.String, ConfValueKind.Integer, ConfValueKind.Bool }));
    }
}
