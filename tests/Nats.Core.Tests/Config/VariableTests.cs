using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary><c>$VAR</c> references: block scope, environment, cycles, bcrypt literals.</summary>
public class VariableTests
{
    private readonly List<string> _environment = [];

    [TearDown]
    public void ClearEnvironment()
    {
        foreach (var name in _environment)
            Environment.SetEnvironmentVariable(name, null);
        _environment.Clear();
    }

    private string SetEnv(string value)
    {
        var name = "__NATS_CONF_TEST_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Environment.SetEnvironmentVariable(name, value);
        _environment.Add(name);
        return name;
    }

    [TestCase("\n  index = 22\n  foo = $index\n")]
    [TestCase("index = 22\nfoo =$index")]
    [TestCase("index = 22\nfoo $index")]
    public void SimpleVariable(string text)
    {
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object> { ["index"] = 22L, ["foo"] = 22L }));
    }

    [Test]
    public void InnermostBlockWins()
    {
        var text = "\n  index = 22\n  nest {\n    index = 11\n    foo = $index\n  }\n  bar = $index\n";
        Assert.That(ParsePlain(text), Is.EqualTo(new Dictionary<string, object>
        {
            ["index"] = 22L,
            ["nest"] = new Dictionary<string, object> { ["index"] = 11L, ["foo"] = 11L },
            ["bar"] = 22L,
        }));
    }

    [Test]
    public void OuterBlocksAreSearchedAndArraysAreSkipped()
    {
        var text = "pass = secret\na { b { users = [ { user: u, password: $pass } ] } }";
        var user = Parse(text)["a"].AsMap()["b"].AsMap()["users"].AsList()[0].AsMap();
        Assert.That(user["password"].AsString(), Is.EqualTo("secret"));
    }

    [Test]
    public void VariablesMayHoldMapsAndArrays()
    {
        var text = "ADMIN = { publish = \">\", subscribe = [\"a\", \"b\"] }\nusers = [ { user: x, permissions: $ADMIN } ]";
        var permissions = Parse(text)["users"].AsList()[0].AsMap()["permissions"].AsMap();
        Assert.That(permissions["publish"].AsString(), Is.EqualTo(">"));
        Assert.That(permissions["subscribe"].AsList().Select(v => v.AsString()), Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public void VariableMustBeDefinedBeforeUse()
    {
        var error = ParseError("foo = $later\nlater = 1");
        Assert.That(error.Reason, Does.Contain("'later'"));
    }

    [Test]
    public void VariableNamesAreCaseSensitiveAsInNatsServer()
    {
        var error = ParseError("x = 4222\nport: $X\n");
        Assert.That(error.Reason, Is.EqualTo("variable reference for 'X' can not be found"));
        Assert.That((error.Line, error.Column), Is.EqualTo((2, 7)));
    }

    [Test]
    public void MissingVariableNamesTheVariableAndItsPosition()
    {
        var error = ParseError("a = 1\nb {\n  foo=$index\n}");
        Assert.That(error.Message, Is.EqualTo("3:7: variable reference for 'index' can not be found"));
        Assert.That((error.Line, error.Column), Is.EqualTo((3, 7)));
    }

    [Test]
    public void DefinitionsStayInTheMapAndAreMarkedUsed()
    {
        var map = Parse("port = 4222\nmonitor_port = $port\nunused = 1");
        Assert.That(map.Keys, Is.EqualTo(new[] { "port", "monitor_port", "unused" }));
        Assert.That(map["port"].IsUsedAsVariable, Is.True);
        Assert.That(map["monitor_port"].IsUsedAsVariable, Is.False);
        Assert.That(map["unused"].IsUsedAsVariable, Is.False);
    }

    [Test]
    public void ReferenceTakesThePositionOfTheReference()
    {
        var map = Parse("port = 4222\nmonitor_port = $port");
        Assert.That(map["port"].Position, Is.EqualTo(new ConfPosition("", 1, 8)));
        Assert.That(map["monitor_port"].Position, Is.EqualTo(new ConfPosition("", 2, 16)));
    }

    [TestCase("password: $2a$11$ooo", "$2a$11$ooo")]
    [TestCase("password: $2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q", "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q")]
    public void BcryptHashesStayLiteral(string text, string expected)
    {
        Assert.That(Parse(text)["password"].AsString(), Is.EqualTo(expected));
    }

    [Test]
    public void OtherBcryptPrefixesAreVariablesAsInNatsServer()
    {
        Assert.That(ParseError("password: $2b$11$ooo").Reason, Does.Contain("'2b$11$ooo' can not be found"));
    }

    [Test]
    public void EnvironmentIntegerIsParsed()
    {
        var name = SetEnv("22");
        var value = Parse($"foo = ${name}")["foo"];
        Assert.That(value, Is.TypeOf<ConfInteger>());
        Assert.That(value.AsLong(), Is.EqualTo(22));
        Assert.That(value.Position, Is.EqualTo(new ConfPosition("", 1, 7)));
    }

    [TestCase("xyz", "xyz")]
    [TestCase("3xyz", "3xyz")]
    [TestCase("3Gyz", "3Gyz")]
    [TestCase("'3xyz'", "3xyz")]
    [TestCase("\"quoted value\"", "quoted value")]
    [TestCase("", "")]
    public void EnvironmentStrings(string raw, string expected)
    {
        var name = SetEnv(raw);
        Assert.That(Parse($"foo = ${name}")["foo"].AsString(), Is.EqualTo(expected));
    }

    [Test]
    public void EnvironmentValuesMayBeSizesArraysAndMaps()
    {
        var size = SetEnv("1MB");
        var list = SetEnv("[a, b]");
        var map = SetEnv("{ user: x }");
        var parsed = Parse($"a = ${size}\nb = ${list}\nc = ${map}");
        Assert.That(parsed["a"].AsLong(), Is.EqualTo(1024 * 1024));
        Assert.That(parsed["b"].AsList().Select(v => v.AsString()), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(parsed["c"].AsMap()["user"].AsString(), Is.EqualTo("x"));
    }

    [Test]
    public void FileDefinitionsShadowTheEnvironment()
    {
        var name = SetEnv("from-env");
        Assert.That(Parse($"{name} = from-file\nfoo = ${name}")["foo"].AsString(), Is.EqualTo("from-file"));
    }

    [Test]
    public void EnvironmentValueMayReferenceAnotherEnvironmentVariable()
    {
        var inner = SetEnv("42");
        var outer = SetEnv("$" + inner);
        Assert.That(Parse($"foo = ${outer}")["foo"].AsLong(), Is.EqualTo(42));
    }

    [Test]
    public void EnvironmentCycleIsReported()
    {
        var a = "__NATS_CONF_TEST_CYCLE_A_" + Guid.NewGuid().ToString("N")[..8];
        var b = "__NATS_CONF_TEST_CYCLE_B_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(a, "$" + b);
        Environment.SetEnvironmentVariable(b, "$" + a);
        _environment.AddRange([a, b]);

        var error = ParseError($"\nfoo = ${a}");
        Assert.That(error.Reason, Does.Contain($"variable reference cycle for '{a}'"));
        Assert.That((error.Line, error.Column), Is.EqualTo((2, 7)));
    }

    [Test]
    public void SelfReferencingEnvironmentVariableIsACycle()
    {
        var a = "__NATS_CONF_TEST_SELF_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(a, "$" + a);
        _environment.Add(a);
        Assert.That(ParseError($"foo = ${a}").Reason, Does.Contain("cycle"));
    }

    [Test]
    public void UnparsableEnvironmentValueIsReportedAtTheReference()
    {
        var name = SetEnv("two words");
        var error = ParseError($"a = 1\nfoo = ${name}");
        Assert.That(error.Reason, Does.StartWith($"variable reference for '{name}' could not be parsed"));
        Assert.That((error.Line, error.Column), Is.EqualTo((2, 7)));
    }
}
