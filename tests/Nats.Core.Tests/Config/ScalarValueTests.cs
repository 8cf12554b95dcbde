using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary>Strings, numbers, sizes, booleans and dates (ported from nats-server conf/lex_test.go and parse_test.go).</summary>
public class ScalarValueTests
{
    [TestCase("foo = \"bar\"")]
    [TestCase("foo = 'bar'")]
    [TestCase("foo='bar'")]
    [TestCase("foo='bar'\r\n")]
    [TestCase("foo=\t'bar'\t")]
    [TestCase("foo = bar")]
    [TestCase("foo = bar' ")]
    public void SimpleStringValues(string text)
    {
        Assert.That(Parse(text)["foo"].AsString(), Is.EqualTo("bar"));
    }

    [Test]
    public void SingleQuotedStringsAreRaw()
    {
        Assert.That(Parse(@"foo = 'bar\r\n  \t'")["foo"].AsString(), Is.EqualTo(@"bar\r\n  \t"));
    }

    [Test]
    public void QuotedStringsMaySpanLines()
    {
        var map = Parse("foo  {\n  expr = '(true == \"false\")'\n  text = 'This is a multi-line\ntext block.'\n}\n");
        Assert.That(map["foo"].AsMap()["expr"].AsString(), Is.EqualTo("(true == \"false\")"));
        Assert.That(map["foo"].AsMap()["text"].AsString(), Is.EqualTo("This is a multi-line\ntext block."));
    }

    [TestCase("foo  = \\t", "\t")]
    [TestCase("foo  = \\r", "\r")]
    [TestCase("foo  = \\n", "\n")]
    [TestCase("foo  = \\\"", "\"")]
    [TestCase("foo  = \\\\", "\\")]
    [TestCase("foo = \"\\\\end\"", "\\end")]
    [TestCase("foo = \"start\\\\\"", "start\\")]
    [TestCase("foo = \\x45\\x71", "Eq")]
    [TestCase("foo = start\\x45\\x71", "startEq")]
    [TestCase("foo = start\\x7Cend", "start|end")]
    [TestCase("foo = \\x3c\\x3eend", "<>end")]
    [TestCase("foo = \\x3cmiddle\\x3E", "<middle>")]
    [TestCase("foo = \\x65", "e")]
    [TestCase("foo = \"tab\\there\"", "tab\there")]
    public void Escapes(string text, string expected)
    {
        Assert.That(Parse(text)["foo"].AsString(), Is.EqualTo(expected));
    }

    [Test]
    public void HexEscapesFormingUtf8DecodeAsUtf8AndLoneBytesAsLatin1()
    {
        Assert.That(Parse("foo = \"caf\\xc3\\xa9\"")["foo"].AsString(), Is.EqualTo("café"));
        Assert.That(Parse("foo = \\xe9")["foo"].AsString(), Is.EqualTo("é"));
    }

    [Test]
    public void EscapedWordsAreNeitherBooleansNorVariables()
    {
        var map = Parse("foo = \\\\true\nbar = \\\\$var");
        Assert.That(map["foo"], Is.TypeOf<ConfString>());
        Assert.That(map["foo"].AsString(), Is.EqualTo("\\true"));
        Assert.That(map["bar"].AsString(), Is.EqualTo("\\$var"));
    }

    [TestCase("foo = \"\"")]
    [TestCase("foo = ''")]
    public void EmptyStrings(string text)
    {
        Assert.That(Parse(text)["foo"].AsString(), Is.Empty);
    }

    [TestCase("foo = ;")]
    [TestCase("foo =")]
    public void AValueCutShortAtTopLevelIsAnEmptyStringAsInNatsServer(string text)
    {
        Assert.That(Parse(text)["foo"].AsString(), Is.Empty);
    }

    [TestCase("foo = 3xyz")]
    [TestCase("foo = 3xyz,")]
    [TestCase("foo = 3xyz;")]
    [TestCase("\n        foo = 3xyz\n        ")]
    public void DigitsFollowedByLettersAreStrings(string text)
    {
        Assert.That(Parse(text)["foo"].AsString(), Is.EqualTo("3xyz"));
    }

    [Test]
    public void StringsStartingWithDigitsInsideMaps()
    {
        Assert.That(ParsePlain("map {\n  foo = 3xyz}\n")["map"], Is.EqualTo(new Dictionary<string, object> { ["foo"] = "3xyz" }));
        Assert.That(ParsePlain("map {\n  foo = 3xyz;\n}\n")["map"], Is.EqualTo(new Dictionary<string, object> { ["foo"] = "3xyz" }));
        Assert.That(ParsePlain("map {\n  foo = 3xyz,\n  bar = 4wqs\n}\n")["map"],
            Is.EqualTo(new Dictionary<string, object> { ["foo"] = "3xyz", ["bar"] = "4wqs" }));
    }

    [TestCase("10s")]
    [TestCase("3secret")]
    [TestCase("1Ghz")]
    [TestCase("2Pie")]
    [TestCase("5Gø")]
    public void DigitsThenOtherLettersAreStrings(string token)
    {
        var value = Parse($"foo = {token}")["foo"];
        Assert.That(value, Is.TypeOf<ConfString>());
        Assert.That(value.AsString(), Is.EqualTo(token));
    }

    [Test]
    public void SizeLikeStringEndsAtComma()
    {
        var map = Parse("foo = 3Mbs, bar = 4Gb, baz = 5Gø");
        Assert.That(map["foo"].AsString(), Is.EqualTo("3Mbs"));
        Assert.That(map["bar"].AsLong(), Is.EqualTo(4L * 1024 * 1024 * 1024));
        Assert.That(map["baz"].AsString(), Is.EqualTo("5Gø"));
    }

    [TestCase("foo = 123", 123L)]
    [TestCase("foo=123", 123L)]
    [TestCase("foo=123\r\n", 123L)]
    [TestCase("foo = -123", -123L)]
    [TestCase("foo=-123\r\n", -123L)]
    [TestCase("foo = 0", 0L)]
    [TestCase("foo = 9223372036854775807", long.MaxValue)]
    [TestCase("foo = -9223372036854775808", long.MinValue)]
    public void Integers(string text, long expected)
    {
        var value = Parse(text)["foo"];
        Assert.That(value, Is.TypeOf<ConfInteger>());
        Assert.That(value.AsLong(), Is.EqualTo(expected));
        Assert.That(((ConfInteger)value).HasSizeSuffix, Is.False);
    }

    [TestCase("22.2", 22.2)]
    [TestCase("0.5", 0.5)]
    [TestCase("-1.25", -1.25)]
    public void Floats(string token, double expected)
    {
        var value = Parse($"foo = {token}\r\n")["foo"];
        Assert.That(value, Is.TypeOf<ConfFloat>());
        Assert.That(value.AsDouble(), Is.EqualTo(expected));
    }

    private const long K = 1000, Ki = 1024;

    [TestCase("1k", K)]
    [TestCase("1K", K)]
    [TestCase("8k", 8 * K)]
    [TestCase("4kb", 4 * Ki)]
    [TestCase("3ki", 3 * Ki)]
    [TestCase("4KiB", 4 * Ki)]
    [TestCase("1m", K * K)]
    [TestCase("1M", K * K)]
    [TestCase("1MB", Ki * Ki)]
    [TestCase("2Mi", 2 * Ki * Ki)]
    [TestCase("64MiB", 64 * Ki * Ki)]
    [TestCase("2g", 2 * K * K * K)]
    [TestCase("1G", K * K * K)]
    [TestCase("1Gb", Ki * Ki * Ki)]
    [TestCase("22GB", 22 * Ki * Ki * Ki)]
    [TestCase("22Gi", 22 * Ki * Ki * Ki)]
    [TestCase("22GiB", 22 * Ki * Ki * Ki)]
    [TestCase("3t", 3 * K * K * K * K)]
    [TestCase("22TB", 22 * Ki * Ki * Ki * Ki)]
    [TestCase("22Ti", 22 * Ki * Ki * Ki * Ki)]
    [TestCase("22TiB", 22 * Ki * Ki * Ki * Ki)]
    [TestCase("5p", 5 * K * K * K * K * K)]
    [TestCase("22PB", 22 * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("22Pi", 22 * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("22PiB", 22 * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("2e", 2 * K * K * K * K * K * K)]
    [TestCase("7EB", 7 * Ki * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("1ei", Ki * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("1EiB", Ki * Ki * Ki * Ki * Ki * Ki)]
    [TestCase("-1m", -K * K)]
    [TestCase("-1GB", -Ki * Ki * Ki)]
    public void SizeSuffixes(string token, long expected)
    {
        var value = Parse($"foo = {token} ")["foo"];
        Assert.That(value, Is.TypeOf<ConfInteger>());
        Assert.That(value.AsLong(), Is.EqualTo(expected));
        Assert.That(((ConfInteger)value).HasSizeSuffix, Is.True);
        Assert.That(((ConfInteger)value).SourceText, Is.EqualTo(token));
    }

    [Test]
    public void SizesInsideArraysAndMaps()
    {
        var map = Parse("a = [1k, 2MB]\nb { c = 1G }");
        Assert.That(map["a"].AsList().Select(v => v.AsLong()), Is.EqualTo(new[] { 1000L, 2L * 1024 * 1024 }));
        Assert.That(map["b"].AsMap()["c"].AsLong(), Is.EqualTo(1_000_000_000L));
    }

    [TestCase("foo = 1kbb", "invalid size suffix 'kbb'")]
    [TestCase("foo = 1k2", "after the value of 'foo', got '2'")]
    [TestCase("foo = 10E", "size '10E' is out of range")]
    [TestCase("foo = 99999999999999999999", "integer '99999999999999999999' is out of range")]
    public void BadNumbersAreErrors(string text, string reason)
    {
        Assert.That(ParseError(text).Reason, Does.Contain(reason));
    }

    [TestCase("foo=true", true)]
    [TestCase("foo=TRUE", true)]
    [TestCase("foo = True", true)]
    [TestCase("foo=yes", true)]
    [TestCase("foo=YES", true)]
    [TestCase("foo=on", true)]
    [TestCase("foo=On", true)]
    [TestCase("foo=false", false)]
    [TestCase("foo=FALSE", false)]
    [TestCase("foo=no", false)]
    [TestCase("foo=off", false)]
    [TestCase("foo=OFF\r\n", false)]
    public void Booleans(string text, bool expected)
    {
        var value = Parse(text)["foo"];
        Assert.That(value, Is.TypeOf<ConfBool>());
        Assert.That(value.AsBool(), Is.EqualTo(expected));
    }

    [TestCase("foo = \"true\"")]
    [TestCase("foo = 'yes'")]
    [TestCase("foo = (\ntrue\n)")]
    public void QuotedBooleansAreStrings(string text)
    {
        Assert.That(Parse(text)["foo"], Is.TypeOf<ConfString>());
    }

    [Test]
    public void DateTimes()
    {
        var map = Parse("\n  now = 2016-05-04T18:53:41Z\n  gmt = false\n\n");
        Assert.That(map["now"], Is.TypeOf<ConfDateTime>());
        Assert.That(map["now"].AsDateTime(), Is.EqualTo(new DateTime(2016, 5, 4, 18, 53, 41, DateTimeKind.Utc)));
        Assert.That(map["now"].AsDateTime().Kind, Is.EqualTo(DateTimeKind.Utc));
        Assert.That(map["gmt"].AsBool(), Is.False);
    }

    [TestCase("foo = 2016-05-04")]
    [TestCase("foo = 2016-13-04T18:53:41Z")]
    [TestCase("foo = 20-05-04T18:53:41Z")]
    public void IncompleteOrInvalidDatesAreErrors(string text)
    {
        Assert.That(() => Parse(text), Throws.TypeOf<ConfigException>());
    }

    [TestCase("listen: 127.0.0.1:4222", "127.0.0.1:4222")]
    [TestCase("listen: 127.0.0.1", "127.0.0.1")]
    [TestCase("listen: apcera.me:80", "apcera.me:80")]
    [TestCase("listen: nats.io:-1", "nats.io:-1")]
    [TestCase("listen: :-1", ":-1")]
    [TestCase("listen = :80", ":80")]
    [TestCase("listen = 0.0.0.0:4222", "0.0.0.0:4222")]
    [TestCase("url = nats://user:pass@host:4222", "nats://user:pass@host:4222")]
    public void UnquotedAddressesAreStrings(string text, string expected)
    {
        var value = Parse(text).Single().Value;
        Assert.That(value, Is.TypeOf<ConfString>());
        Assert.That(value.AsString(), Is.EqualTo(expected));
    }

    [Test]
    public void MinusOneIsAnInteger()
    {
        Assert.That(Parse("listen: -1")["listen"].AsLong(), Is.EqualTo(-1));
    }

    [Test]
    public void BlockString()
    {
        Assert.That(Parse("\nnumbers (\n1234567890\n)\n")["numbers"].AsString(), Is.EqualTo("\n1234567890\n"));
    }

    [Test]
    public void BlockStringClosedAtEndOfFile()
    {
        Assert.That(Parse("\nnumbers (\n1234567890\n)")["numbers"].AsString(), Is.EqualTo("\n1234567890\n"));
    }

    [Test]
    public void BlockStringOnlyClosesOnALoneParenthesis()
    {
        var text = "\nnumbers (\n  12(34)56\n  (\n    7890\n  )\n)\nnext = 1\n";
        var map = Parse(text);
        Assert.That(map["numbers"].AsString(), Is.EqualTo("\n  12(34)56\n  (\n    7890\n  )\n"));
        Assert.That(map["next"].AsLong(), Is.EqualTo(1));
    }
}
