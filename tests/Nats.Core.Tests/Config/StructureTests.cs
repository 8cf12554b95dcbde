using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary>Keys, separators, maps, arrays, comments and JSON (ported from nats-server conf/lex_test.go and parse_test.go).</summary>
public class StructureTests
{
    [TestCase("foo = 123")]
    [TestCase("foo : 123")]
    [TestCase("foo:123")]
    [TestCase("foo: 123")]
    [TestCase("foo:  123\r\n")]
    [TestCase("foo 123")]
    [TestCase("foo\t123")]
    [TestCase("foo\t\t123\r\n")]
    [TestCase("'foo' : 123")]
    [TestCase("\"foo\" : 123")]
    [TestCase("foo\n123")]
    public void KeySeparators(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object> { ["foo"] = 123L }));
    }

    [TestCase("' foo' : 123")]
    [TestCase("\" foo\" : 123")]
    public void QuotedKeysKeepSpaces(string text)
    {
        Assert.That(Parse(text).Keys, Is.EqualTo(new[] { " foo" }));
    }

    [Test]
    public void ByteOrderMarkIsSkipped()
    {
        using var dir = new TempDir();
        var path = dir.Write("bom.conf", "port = 4222\n");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. File.ReadAllBytes(path)]);
        Assert.That(ConfParser.ParseFile(path).Keys, Is.EqualTo(new[] { "port" }));
        Assert.That(Parse("\uFEFFport = 1").Keys, Is.EqualTo(new[] { "port" }));
    }

    [Test]
    public void SimpleTopLevel()
    {
        Assert.That(ParsePlain("foo='1'; bar=2.2; baz=true; boo=22"), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = "1", ["bar"] = 2.2, ["baz"] = true, ["boo"] = 22L,
        }));
    }

    [Test]
    public void OptionalSemicolons()
    {
        var text = "\nfoo = 123;\nbar = 'baz';\nbaz = 'boo'\nmap {\n id = 1;\n}\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = 123L, ["bar"] = "baz", ["baz"] = "boo", ["map"] = new Dictionary<string, object> { ["id"] = 1L },
        }));
    }

    [Test]
    public void NonQuotedStrings()
    {
        var text = "\nfoo = 123\nbar = baz\nbaz=boo\nmap {\n id:one\n id2 : onetwo\n}\nt true\nf false\ntstr \"true\"\n" +
                   "tkey = two\nfkey = five # This should be a string\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = 123L, ["bar"] = "baz", ["baz"] = "boo",
            ["map"] = new Dictionary<string, object> { ["id"] = "one", ["id2"] = "onetwo" },
            ["t"] = true, ["f"] = false, ["tstr"] = "true", ["tkey"] = "two", ["fkey"] = "five",
        }));
    }

    [TestCase("# This is a comment")]
    [TestCase("# This is a comment\r\n")]
    [TestCase("// This is a comment\r\n")]
    [TestCase("")]
    [TestCase("\n\n\n                        ")]
    [TestCase("\n  # just comments with no values\n  # is still valid.\n")]
    public void EmptyConfigsAreValid(string text)
    {
        Assert.That(Parse(text), Is.Empty);
    }

    [TestCase("foo = 123 // This is a comment")]
    [TestCase("foo=123    # This is a comment")]
    public void CommentsAfterValues(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object> { ["foo"] = 123L }));
    }

    [Test]
    public void LoneSlashAfterAValueIsIgnoredAsInNatsServer()
    {
        Assert.That(ParsePlain("a = 1 /\nb = [1 / 2]\nc { d = 3 / }"), Is.EqualTo(new Dictionary<string, object>
        {
            ["a"] = 1L, ["b"] = new List<object> { 1L, 2L }, ["c"] = new Dictionary<string, object> { ["d"] = 3L },
        }));
    }

    [Test]
    public void CommentMarkerWithoutSpaceBelongsToABareValue()
    {
        // As in nats-server: a bare value runs to white space, so URLs keep their "//".
        Assert.That(ParsePlain("foo=123//comment\nbar = x#y"),
            Is.EqualTo(new Dictionary<string, object> { ["foo"] = "123//comment", ["bar"] = "x#y" }));
    }

    [Test]
    public void HashAndSlashesInsideValuesAreNotComments()
    {
        var map = Parse("a = \"x # y\"\nb = 'p // q'\nc = nats://host:4222\n");
        Assert.That(map["a"].AsString(), Is.EqualTo("x # y"));
        Assert.That(map["b"].AsString(), Is.EqualTo("p // q"));
        Assert.That(map["c"].AsString(), Is.EqualTo("nats://host:4222"));
    }

    [TestCase("foo = [1, 2, 3, 'bar']")]
    [TestCase("foo = [1,2,3,'bar']")]
    [TestCase("foo = [1, 2,3,'bar']")]
    [TestCase("foo = [1, 2, 3, 'bar',]")]
    public void InlineArrays(string text)
    {
        Assert.That(ParsePlain(text)["foo"], Is.EqualTo(new List<object> { 1L, 2L, 3L, "bar" }));
    }

    [TestCase("\n# top level comment\nfoo = [\n 1, # One\n 2, // Two\n 3 # Three\n 'bar'     ,\n \"bar\"\n]\n")]
    [TestCase("\n# top level comment\nfoo = [\n 1 // foo\n 2\n 3\n 'bar'\n \"bar\"\n]\n")]
    public void MultilineArrays(string text)
    {
        Assert.That(ParsePlain(text)["foo"], Is.EqualTo(new List<object> { 1L, 2L, 3L, "bar", "bar" }));
    }

    [Test]
    public void IntegerRightBeforeClosingBracketIsAnInteger()
    {
        // nats-server's lexer turns "2]" into a string and then fails; this is a deliberate fix.
        Assert.That(ParsePlain("foo = [1, 2]")["foo"], Is.EqualTo(new List<object> { 1L, 2L }));
    }

    [Test]
    public void EmptyAndNestedArrays()
    {
        Assert.That(ParsePlain("a = []\nb = [[1], [], [x, y]]"), Is.EqualTo(new Dictionary<string, object>
        {
            ["a"] = new List<object>(),
            ["b"] = new List<object> { new List<object> { 1L }, new List<object>(), new List<object> { "x", "y" } },
        }));
    }

    [Test]
    public void UnquotedAddressesInArrays()
    {
        Assert.That(ParsePlain("listen = [localhost:4222, localhost:4333]")["listen"],
            Is.EqualTo(new List<object> { "localhost:4222", "localhost:4333" }));
    }

    [TestCase("foo = {ip='127.0.0.1', port = 4242}")]
    [TestCase("\nfoo = {\n  ip = '127.0.0.1' # the IP\n  port= 4242 // the port\n}\n")]
    [TestCase("foo {\n  ip: 127.0.0.1\n  port: 4242\n}")]
    [TestCase("foo {ip: 127.0.0.1; port: 4242}")]
    [TestCase("foo {\n  ip =\n '127.0.0.1'\n  port\n 4242\n}")]
    public void Maps(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = new Dictionary<string, object> { ["ip"] = "127.0.0.1", ["port"] = 4242L },
        }));
    }

    [TestCase("\nfoo = {\n  host = {\n    ip = '127.0.0.1'\n    port= 4242\n  }\n}\n")]
    [TestCase("\nfoo  {\n  host  {\n    ip = '127.0.0.1'\n    port= 4242\n  }\n}\n")]
    public void NestedMaps(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = new Dictionary<string, object>
            {
                ["host"] = new Dictionary<string, object> { ["ip"] = "127.0.0.1", ["port"] = 4242L },
            },
        }));
    }

    [TestCase("foo = {'bar' = 4242}")]
    [TestCase("foo = {\"bar\" = 4242}")]
    public void MapQuotedKeys(string text)
    {
        Assert.That(ParsePlain(text)["foo"], Is.EqualTo(new Dictionary<string, object> { ["bar"] = 4242L }));
    }

    [TestCase("foo = {'bar-1.2.3' = { port:4242 }}")]
    [TestCase("foo = {\"bar-1.2.3\" = { port:4242 }}")]
    public void SpecialCharactersInQuotedMapKeys(string text)
    {
        Assert.That(ParsePlain(text)["foo"], Is.EqualTo(new Dictionary<string, object>
        {
            ["bar-1.2.3"] = new Dictionary<string, object> { ["port"] = 4242L },
        }));
    }

    [Test]
    public void DoubleNestedMapsOnNewLines()
    {
        var text = "\nsystems {\n  allinone {\n    description: \"This is a description.\"\n  }\n}\n";
        Assert.That(Parse(text)["systems"].AsMap()["allinone"].AsMap()["description"].AsString(), Is.EqualTo("This is a description."));
    }

    [Test]
    public void Sample1()
    {
        var text = "\nfoo  {\n  host {\n    ip   = '127.0.0.1'\n    port = 4242\n  }\n  servers = [ \"a.com\", \"b.com\", \"c.com\"]\n}\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = new Dictionary<string, object>
            {
                ["host"] = new Dictionary<string, object> { ["ip"] = "127.0.0.1", ["port"] = 4242L },
                ["servers"] = new List<object> { "a.com", "b.com", "c.com" },
            },
        }));
    }

    [Test]
    public void ClusterSampleWithBothCommentStyles()
    {
        var text = """
            cluster {
              port: 4244

              authorization {
                user: route_user
                password: top_secret
                timeout: 1
              }

              # Routes are actively solicited and connected to from this server.
              // Test both styles of comments

              routes = [
                nats-route://foo:bar@apcera.me:4245
                nats-route://foo:bar@apcera.me:4246
              ]
            }
            """;
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["cluster"] = new Dictionary<string, object>
            {
                ["port"] = 4244L,
                ["authorization"] = new Dictionary<string, object>
                {
                    ["user"] = "route_user", ["password"] = "top_secret", ["timeout"] = 1L,
                },
                ["routes"] = new List<object> { "nats-route://foo:bar@apcera.me:4245", "nats-route://foo:bar@apcera.me:4246" },
            },
        }));
    }

    [Test]
    public void ArrayOfMaps()
    {
        var text = "\nauthorization {\n    users = [\n      {user: alice, password: foo}\n      {user: bob,   password: bar}\n    ]\n    timeout: 0.5\n}\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["authorization"] = new Dictionary<string, object>
            {
                ["users"] = new List<object>
                {
                    new Dictionary<string, object> { ["user"] = "alice", ["password"] = "foo" },
                    new Dictionary<string, object> { ["user"] = "bob", ["password"] = "bar" },
                },
                ["timeout"] = 0.5,
            },
        }));
    }

    [TestCase("{ listen: 0.0.0.0:4222 }")]
    [TestCase("{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t }")]
    [TestCase("\n\t\t\t{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t}\n\t\t\t# wibble\n\t\t\t")]
    [TestCase("\n\t\t\t{\n\t\t\t\t{\n\t\t\t\t\tlisten: 0.0.0.0:4222 // random comment\n\t\t\t\t}\n\t\t\t\t# wibble1\n\t\t\t}\n\t\t\t# wibble2\n\t\t\t")]
    [TestCase("listen: 0.0.0.0:4222\n}\n")]
    public void TopLevelBracesAreTransparent(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object> { ["listen"] = "0.0.0.0:4222" }));
    }

    [Test]
    public void TopLineValuesInBraces()
    {
        var text = "\n{\n  \"debug\":              False\n  \"server_name\":        \"gcp-asianortheast3-natscj1-1\"\n\n" +
                   "  # Profile port specification.\n  \"prof_port\":          8221\n}\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["debug"] = false, ["prof_port"] = 8221L, ["server_name"] = "gcp-asianortheast3-natscj1-1",
        }));
    }

    [TestCase("{}")]
    [TestCase("\n{\n# comments in the body\n}\n")]
    [TestCase("\n{\n}\n")]
    public void EmptyBracesAreAnEmptyConfig(string text)
    {
        Assert.That(Parse(text), Is.Empty);
    }

    [TestCase("\naccounts { users = [{}]}\n}\n")]
    [TestCase("{\n  accounts { users = [{}]}\n}\n")]
    public void TrailingBracketsAreValid(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["accounts"] = new Dictionary<string, object> { ["users"] = new List<object> { new Dictionary<string, object>() } },
        }));
    }

    [Test]
    public void PrettyJson()
    {
        var text = """
            {
              "http_port": 8227,
              "port": 4227,
              "write_deadline": "1h",
              "cluster": {
                "port": 6222,
                "routes": [
                  "nats://127.0.0.1:4222",
                  "nats://127.0.0.1:4223",
                  "nats://127.0.0.1:4224"
                ]
              }
            }
            """;
        var expected = new Dictionary<string, object>
        {
            ["http_port"] = 8227L, ["port"] = 4227L, ["write_deadline"] = "1h",
            ["cluster"] = new Dictionary<string, object>
            {
                ["port"] = 6222L,
                ["routes"] = new List<object> { "nats://127.0.0.1:4222", "nats://127.0.0.1:4223", "nats://127.0.0.1:4224" },
            },
        };
        Assert.That(ParsePlain(text), Is.EqualTo(expected));
        var uglified = string.Concat(text.Split('\n').Select(l => l.Trim()));
        Assert.That(ParsePlain(uglified), Is.EqualTo(expected));
    }

    [Test]
    public void JsonWithMissingCommaAndTrailingComma()
    {
        var text = "{\n  \"jetstream\": {\n    \"store_dir\": \"/tmp/nats\"\n    \"max_mem\": 1000000,\n  },\n" +
                   "  \"port\": 4222,\n  \"server_name\": \"nats1\"\n}\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["jetstream"] = new Dictionary<string, object> { ["store_dir"] = "/tmp/nats", ["max_mem"] = 1_000_000L },
            ["port"] = 4222L, ["server_name"] = "nats1",
        }));
    }

    [TestCase("{\"http_port\": 8224,\"port\": 4224}\n")]
    [TestCase("{\"http_port\": 8224,\"port\": 4224\n}\n")]
    [TestCase("\n{\n  \"http_port\": 8224,\n  \"port\": 4224\n}\n")]
    public void CompactJson(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object> { ["http_port"] = 8224L, ["port"] = 4224L }));
    }
}
