using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary><c>include</c>: relative paths, nesting, merging, cycles and errors.</summary>
public class IncludeTests
{
    private const string AlicePass = "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q";
    private const string BobPass = "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly";

    private TempDir _dir = null!;

    [SetUp]
    public void CreateDir() => _dir = new TempDir();

    [TearDown]
    public void RemoveDir() => _dir.Dispose();

    private void WriteNatsServerIncludeFixture()
    {
        _dir.Write("includes/passwords.conf", $"# Just foo & bar for testing\nALICE_PASS: {AlicePass}\nBOB_PASS: {BobPass}\n");
        _dir.Write("includes/users.conf",
            "# Users configuration\n\ninclude ./passwords.conf;\n\nusers = [\n  {user: alice, password: $ALICE_PASS}\n  {user: bob,   password: $BOB_PASS}\n]\n");
    }

    [Test]
    public void NestedIncludesWithPathsRelativeToEachFile()
    {
        WriteNatsServerIncludeFixture();
        var main = _dir.Write("simple.conf",
            "listen: 127.0.0.1:4222\n\nauthorization {\n  include 'includes/users.conf' # Pull in from file\n  timeout: 0.5\n}\n");

        Assert.That(ToPlain(ConfParser.ParseFile(main)), Is.EqualTo(new Dictionary<string, object>
        {
            ["listen"] = "127.0.0.1:4222",
            ["authorization"] = new Dictionary<string, object>
            {
                ["ALICE_PASS"] = AlicePass,
                ["BOB_PASS"] = BobPass,
                ["users"] = new List<object>
                {
                    new Dictionary<string, object> { ["user"] = "alice", ["password"] = AlicePass },
                    new Dictionary<string, object> { ["user"] = "bob", ["password"] = BobPass },
                },
                ["timeout"] = 0.5,
            },
        }));
    }

    [Test]
    public void IncludedKeysAreVariablesAndKeepTheirOwnPositions()
    {
        WriteNatsServerIncludeFixture();
        var text = "\nauthorization {\n\n  include \"./includes/passwords.conf\"\n\n  CAROL_PASS: foo\n\n  users = [\n" +
                   "   {user: alice, password: $ALICE_PASS}\n   {user: bob,   password: $BOB_PASS}\n   {user: carol, password: $CAROL_PASS}\n  ]\n}\n";
        var main = _dir.Write("main.conf", text);
        var authorization = ConfParser.ParseFile(main)["authorization"].AsMap();

        var passwords = Path.Combine(_dir.Path, "includes", "passwords.conf");
        Assert.That(authorization.TryGetEntry("ALICE_PASS", out var alice), Is.True);
        Assert.That(alice!.KeyPosition, Is.EqualTo(new ConfPosition(passwords, 2, 1)));
        Assert.That(alice.Value.AsString(), Is.EqualTo(AlicePass));
        Assert.That(alice.Value.IsUsedAsVariable, Is.True);
        Assert.That(authorization.TryGetEntry("BOB_PASS", out var bob), Is.True);
        Assert.That(bob!.KeyPosition, Is.EqualTo(new ConfPosition(passwords, 3, 1)));
        Assert.That(authorization.TryGetEntry("CAROL_PASS", out var carol), Is.True);
        Assert.That(carol!.KeyPosition, Is.EqualTo(new ConfPosition(main, 6, 3)));
        Assert.That(authorization["users"].AsList()[2].AsMap()["password"].AsString(), Is.EqualTo("foo"));
    }

    [TestCase("include \"users.conf\"")]
    [TestCase("include 'users.conf'")]
    [TestCase("include users.conf")]
    [TestCase("INCLUDE users.conf")]
    [TestCase("include\tusers.conf ; port = 1")]
    public void IncludeForms(string line)
    {
        _dir.Write("users.conf", "user = alice");
        var map = ConfParser.ParseString(line, baseDirForIncludes: _dir.Path);
        Assert.That(map["user"].AsString(), Is.EqualTo("alice"));
    }

    [TestCase("foo { include users.conf }")]
    [TestCase("foo {include users.conf}")]
    [TestCase("foo { include 'users.conf' }")]
    [TestCase("foo { include \"users.conf\"}")]
    public void IncludeInsideAMap(string text)
    {
        _dir.Write("users.conf", "user = alice");
        var map = ConfParser.ParseString(text, baseDirForIncludes: _dir.Path);
        Assert.That(ToPlain(map), Is.EqualTo(new Dictionary<string, object>
        {
            ["foo"] = new Dictionary<string, object> { ["user"] = "alice" },
        }));
    }

    [Test]
    public void IncludeWithoutFollowingSpaceIsAnOrdinaryKey()
    {
        var map = Parse("include: 5\nInclude=6");
        Assert.That(map["include"].AsLong(), Is.EqualTo(6));
    }

    [Test]
    public void IncludedValuesAreVisibleAsVariablesAfterTheInclude()
    {
        _dir.Write("b.conf", "monitoring_port = 8222");
        var main = _dir.Write("a.conf", "port = 4222\n\ninclude \"b.conf\"\n\nhttp_port = $monitoring_port\n");
        Assert.That(ConfParser.ParseFile(main)["http_port"].AsLong(), Is.EqualTo(8222));
    }

    [Test]
    public void IncludedFileCannotSeeTheIncludersVariablesAsInNatsServer()
    {
        _dir.Write("b.conf", "port = $base_port");
        var main = _dir.Write("a.conf", "base_port = 4222\ninclude b.conf\n");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(main))!;
        Assert.That(error.File, Is.EqualTo(Path.Combine(_dir.Path, "b.conf")));
        Assert.That(error.Reason, Does.StartWith("variable reference for 'base_port' can not be found"));
        Assert.That(error.Reason, Does.EndWith($"(included from {main}:2:9)"));
    }

    [Test]
    public void IncludedKeysMergeAndLaterKeysWin()
    {
        _dir.Write("defaults.conf", "port = 1\ndebug = true\n");
        var main = _dir.Write("main.conf", "port = 0\ninclude defaults.conf\nport = 2\n");
        var map = ConfParser.ParseFile(main);
        Assert.That(ToPlain(map), Is.EqualTo(new Dictionary<string, object> { ["port"] = 2L, ["debug"] = true }));
        Assert.That(map.Keys, Is.EqualTo(new[] { "port", "debug" }));
    }

    [Test]
    public void NestedDirectoriesResolveAgainstTheIncludingFile()
    {
        _dir.Write("conf/a/one.conf", "include ../b/two.conf\none = 1");
        _dir.Write("conf/b/two.conf", "include 'three/three.conf'\ntwo = 2");
        _dir.Write("conf/b/three/three.conf", "three = 3");
        var main = _dir.Write("main.conf", "include conf/a/one.conf");
        Assert.That(ToPlain(ConfParser.ParseFile(main)), Is.EqualTo(new Dictionary<string, object>
        {
            ["three"] = 3L, ["two"] = 2L, ["one"] = 1L,
        }));
    }

    [Test]
    public void LeadingSlashIsStillRelativeToTheIncludingFileAsInNatsServer()
    {
        _dir.Write("sub/x.conf", "x = 1");
        var main = _dir.Write("main.conf", "include /sub/x.conf");
        Assert.That(ConfParser.ParseFile(main)["x"].AsLong(), Is.EqualTo(1));
    }

    [Test]
    public void SelfIncludeIsACycle()
    {
        var main = _dir.Write("main.conf", "a = 1\ninclude main.conf\n");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(main))!;
        Assert.That(error.Reason, Is.EqualTo($"include cycle: {main} -> {main}"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((main, 2, 9)));
    }

    [Test]
    public void IndirectCycleNamesTheWholeChain()
    {
        var a = _dir.Write("a.conf", "include b.conf");
        var b = _dir.Write("b.conf", "x = 1\ninclude 'a.conf'");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(a))!;
        Assert.That(error.Reason, Does.StartWith($"include cycle: {a} -> {b} -> {a}"));
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((b, 2, 9)));
    }

    [Test]
    public void IncludingTheSameFileTwiceIsNotACycle()
    {
        _dir.Write("users.conf", "users = [ { user: a } ]");
        var main = _dir.Write("main.conf", "A { include users.conf }\nB { include users.conf }");
        var map = ConfParser.ParseFile(main);
        Assert.That(map["A"].AsMap()["users"].AsList(), Has.Count.EqualTo(1));
        Assert.That(map["B"].AsMap()["users"].AsList(), Has.Count.EqualTo(1));
    }

    [Test]
    public void MissingIncludeIsReportedAtTheInclude()
    {
        var main = _dir.Write("main.conf", "port = 1\n  include nope.conf\n");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(main))!;
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((main, 2, 11)));
        Assert.That(error.Reason, Does.StartWith($"cannot read include file '{Path.Combine(_dir.Path, "nope.conf")}'"));
    }

    [Test]
    public void ErrorInsideAnIncludeNamesTheIncludedFile()
    {
        var bad = _dir.Write("bar.conf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        _dir.Write("foo.conf", "");
        _dir.Write("quux.conf", "\n  # just some comments,\n  # and no key values also ok.\n");
        var main = _dir.Write("nats.conf",
            "# includes\naccounts {\n  foo { include 'foo.conf'}\n  bar { include 'bar.conf'}\n  quux { include 'quux.conf'}\n}\n");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(main))!;
        Assert.That((error.File, error.Line, error.Column), Is.EqualTo((bad, 1, 1)));
        Assert.That(error.Message, Does.StartWith($"{bad}:1:1: expected a value for 'AAAA"));
        Assert.That(error.Message, Does.EndWith($"(included from {main}:4:17)"));
    }

    [Test]
    public void JsonIncludes()
    {
        _dir.Write("foo.json", "{ \"users\": [ {\"user\": \"foo\"} ] }");
        _dir.Write("bar.json", "{\n  \"users\": [ {\"user\": \"bar\"} ]\n}");
        _dir.Write("quux.json", "{}");
        var main = _dir.Write("nats.conf",
            "\naccounts {\n  foo  { include 'foo.json'  }\n  bar  { include 'bar.json'  }\n  quux { include 'quux.json' }\n}\n");
        Assert.That(ToPlain(ConfParser.ParseFile(main)), Is.EqualTo(new Dictionary<string, object>
        {
            ["accounts"] = new Dictionary<string, object>
            {
                ["foo"] = new Dictionary<string, object> { ["users"] = new List<object> { new Dictionary<string, object> { ["user"] = "foo" } } },
                ["bar"] = new Dictionary<string, object> { ["users"] = new List<object> { new Dictionary<string, object> { ["user"] = "bar" } } },
                ["quux"] = new Dictionary<string, object>(),
            },
        }));
    }

    [TestCase("include [a]")]
    [TestCase("include {a}")]
    [TestCase("include (a)")]
    [TestCase("include 1.conf")]
    [TestCase("include -x")]
    [TestCase("include \\x")]
    [TestCase("include \nfoo")]
    [TestCase("include \"9/x")]
    public void BadIncludePaths(string text)
    {
        Assert.That(() => ConfParser.ParseString(text, baseDirForIncludes: _dir.Path), Throws.TypeOf<ConfigException>());
    }

    [Test]
    public void ParseStringWithFileNameResolvesIncludesNextToIt()
    {
        _dir.Write("sub/inc.conf", "x = 1");
        var name = Path.Combine(_dir.Path, "sub", "virtual.conf");
        Assert.That(ConfParser.ParseString("include inc.conf", name)["x"].AsLong(), Is.EqualTo(1));
    }
}
