using System.Text;
using Nats.Core.Config;

namespace Nats.Core.Tests.Config;

/// <summary>config_digest: the expected digests are those of nats-server's conf/parse_test.go.</summary>
public class ConfigDigestTests
{
    private const string FooBar = "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
    private const string IncludedUsers = "sha256:e72d70c91b64b0f880f86decb95ec2600cbdcf8bdcd2355fce5ebc54a84a77e9";

    private static string DigestOf(string text, params (string Name, string Content)[] includes)
    {
        using var dir = new TempDir();
        foreach (var (name, content) in includes)
            dir.Write(name, content);
        return ConfigDigest.Compute(ConfParser.ParseFile(dir.Write("nats.conf", text)));
    }

    [TestCase("foo = bar")]
    [TestCase("# Comments and whitespace have no effect\n                        foo = bar\n                        ")]
    [TestCase("# Syntax changes have no effect\n                        'foo': 'bar'\n                        ")]
    [TestCase("# Syntax changes have no effect\n                        { 'foo': 'bar' }\n                        ")]
    public void SyntaxDoesNotChangeTheDigest(string text)
    {
        Assert.That(DigestOf(text), Is.EqualTo(FooBar));
    }

    [Test]
    public void SubstitutionsKeepTheirDefinitions()
    {
        var text = """
            # substitutions
            BAR_USERS = { users = [ {user = "bar"} ]}
            hello = 'world'
            accounts {
              QUUX_USERS = [ { user: quux }]
              bar = $BAR_USERS
              quux = { users = $QUUX_USERS }
            }
            very { nested { env { VAR = 'NESTED', quux = $VAR }}}
            """;
        Assert.That(DigestOf(text), Is.EqualTo("sha256:bddb282343249c26d3edcef9bfaa9d2711505fc67210380e871405ba394a9186"));
    }

    [Test]
    public void SameConfigWithoutVariables()
    {
        var text = """
            # substitutions, same as previous one without env vars.
            hello = 'world'
            accounts {
              bar  = { users = [ { user = "bar" } ]}
              quux = { users = [ { user: quux   } ]}
            }
            very { nested { env { quux = 'NESTED' }}}
            """;
        Assert.That(DigestOf(text), Is.EqualTo("sha256:34f8faf3f269fe7509edc4742f20c8c4a7ad51fe21f8b361764314b533ac3ab5"));
    }

    [Test]
    public void VariableUsedTwice()
    {
        var text = "# substitutions\nBAR_USERS = { users = [ {user = \"foo\"} ]}\nbar = $BAR_USERS\naccounts {\n  users = $BAR_USERS\n}\n";
        Assert.That(DigestOf(text), Is.EqualTo("sha256:b0e2ba0b8ec2cb75681b5c5d61789cda0c9942c2f9fe16cdb7f6703364485360"));
    }

    [Test]
    public void SameValuesWrittenOut()
    {
        var text = "# substitutions\nbar = { users = [ {user = \"foo\"} ]}\naccounts {\n  users = { users = [ {user = \"foo\"} ]}\n}\n";
        Assert.That(DigestOf(text), Is.EqualTo("sha256:f5d943b4ed22b80c6199203f8a7eaa8eb68ef7b2d46ef6b1b26f05e21f8beb13"));
    }

    [Test]
    public void IncludesAreDigestedByContent()
    {
        var oneInline = "# includes\naccounts {\n  foo { include 'foo.conf'}\n  bar { users = [{user = \"bar\"}] }\n  quux { include 'quux.conf'}\n}\n";
        var allIncluded = "# includes\naccounts {\n  foo { include 'foo.conf'}\n  bar { include 'bar.conf'}\n  quux { include 'quux.conf'}\n}\n";
        (string, string)[] files =
        [
            ("foo.conf", " users = [{user = \"foo\"}]"),
            ("bar.conf", " users = [{user = \"bar\"}]"),
            ("quux.conf", " users = [{user = \"quux\"}]"),
        ];
        Assert.That(DigestOf(oneInline, files), Is.EqualTo(IncludedUsers));
        Assert.That(DigestOf(allIncluded, files), Is.EqualTo(IncludedUsers));
    }

    [Test]
    public void ValuesChangeTheDigest()
    {
        Assert.That(DigestOf("foo = baz"), Is.Not.EqualTo(FooBar));
    }

    private static string Json(string conf)
    {
        var json = new StringBuilder();
        GoJsonWriter.Write(json, ConfParser.ParseString(conf));
        return json.ToString();
    }

    [Test]
    public void EncodesLikeGoEncodingJson()
    {
        Assert.That(Json("b = 1\na = [true, 0.5, 2016-05-04T18:53:41Z]\nC { }"),
            Is.EqualTo("{\"C\":{},\"a\":[true,0.5,\"2016-05-04T18:53:41Z\"],\"b\":1}"));
        Assert.That(Json("s = \"<a&b>\\t\\\"q\\\"\\\\ \\x01 é\""),
            Is.EqualTo("{\"s\":\"\\u003ca\\u0026b\\u003e\\t\\\"q\\\"\\\\ \\u0001 é\"}"));
    }

    [TestCase(0.5, "0.5")]
    [TestCase(100.0, "100")]
    [TestCase(-2.25, "-2.25")]
    [TestCase(0.001, "0.001")]
    [TestCase(1e-6, "0.000001")]
    [TestCase(1e-7, "1e-7")]
    [TestCase(1.5e-10, "1.5e-10")]
    [TestCase(1e20, "100000000000000000000")]
    [TestCase(1e21, "1e+21")]
    [TestCase(1.5e25, "1.5e+25")]
    [TestCase(-3e-9, "-3e-9")]
    [TestCase(0.1, "0.1")]
    [TestCase(123456.789, "123456.789")]
    public void FloatsUseGoFormatting(double value, string expected)
    {
        Assert.That(GoJsonWriter.FormatFloat(value), Is.EqualTo(expected));
    }
}
