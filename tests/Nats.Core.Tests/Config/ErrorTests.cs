using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary>Syntax errors: each names file, line and column (1-based).</summary>
public class ErrorTests
{
    private static void AssertError(string text, int line, int column, string reasonFragment)
    {
        var error = ParseError(text);
        Assert.Multiple(() =>
        {
            Assert.That(error.Reason, Does.Contain(reasonFragment));
            Assert.That((error.Line, error.Column), Is.EqualTo((line, column)), error.Message);
            Assert.That(error.Message, Does.StartWith($"{line}:{column}: "));
        });
    }

    [Test]
    public void KeyWithoutValue() => AssertError("foo", 1, 1, "expected a value for 'foo'");

    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 1)]
    [TestCase("              aaaaaaaaaaaaaaaaaaaaaaaaaaa", 1, 15)]
    [TestCase("     aaaaaaaaaaaaaaaaaaaaaaaaaaa         ", 1, 6)]
    [TestCase("\n  # with comments and no spaces to create key values\n  # is also an invalid config.\n  aaaaaaaaaaaaaa\n     ", 4, 3)]
    [TestCase("\n    a,a,a,a,a,a,a,a,a,a,a\n    ", 2, 5)]
    public void KeysWithoutValuesAreInvalid(string text, int line, int column) =>
        AssertError(text, line, column, "expected a value for");

    [Test]
    public void ValueOnNextLineAfterSeparatorAtTopLevel() => AssertError("port =\n4222\n", 1, 7, "found a new line");

    [Test]
    public void UnexpectedKeySeparator() => AssertError(" :foo = 22", 1, 2, "unexpected key separator ':'");

    [Test]
    public void FloatWithoutLeadingDigit() => AssertError("foo = .2", 1, 7, "floats must start with a digit");

    [Test]
    public void FloatWithoutDigitAfterDot() => AssertError("foo = 1.x", 1, 9, "floats must have a digit after the '.'");

    [Test]
    public void NegativeSignWithoutDigit() => AssertError("foo = -bar", 1, 8, "expected a digit after '-'");

    [Test]
    public void HexEscapeCutByEndOfLine() =>
        AssertError("foo = xyz\\x\n", 1, 10, "expected two hexadecimal digits after '\\x', but hit end of line");

    [Test]
    public void HexEscapeWithOneDigitCutByEndOfLine() =>
        AssertError("foo = xyz\\xF\n", 1, 10, "but hit end of line");

    [Test]
    public void HexEscapeWithNonHexCharacters() =>
        AssertError("foo = \"[\\x]\"", 1, 9, "expected two hexadecimal digits after '\\x', but got ']\"'");

    [Test]
    public void HexEscapeWithOneHexCharacter() =>
        AssertError("foo = \"[\\xe]\"", 1, 9, "but got 'e]'");

    [Test]
    public void InvalidEscape() => AssertError("foo = \\y", 1, 7, "invalid escape character 'y'");

    [Test]
    public void DanglingDoubleQuote() =>
        AssertError("\nlisten: \"localhost:4242\n\nhttp: localhost:8222\n", 2, 9, "unterminated double-quoted string");

    [Test]
    public void DanglingSingleQuote() =>
        AssertError("\nlisten: 'localhost:4242\n\nhttp: localhost:8222\n", 2, 9, "unterminated single-quoted string");

    [Test]
    public void QuoteSpanningLinesThenDanglingQuotedKey()
    {
        // The first quote swallows "listen: " up to the next quote; the last quote opens a key.
        AssertError("\nfoo = \"\nlisten: \"\n\nhttp: localhost:8222\n\n\"\n", 7, 1, "unterminated quoted key");
    }

    [TestCase("a = \"", 1, 5)]
    [TestCase("a = '", 1, 5)]
    [TestCase("\"", 1, 1)]
    public void QuoteOpenedAtEndOfFile(string text, int line, int column) => AssertError(text, line, column, "unterminated");

    [Test]
    public void UnterminatedMap() =>
        AssertError("\nlisten = 4222\n\ncluster = {\n\n  foo = bar\n\n", 4, 11, "unterminated map");

    [Test]
    public void UnterminatedBlockString() =>
        AssertError("\nlisten = 4222\n\nquote = (\n\n  foo = bar\n\n", 4, 9, "unterminated block string");

    [Test]
    public void UnterminatedArray() => AssertError("a = [1,\n 2", 1, 5, "unterminated array");

    [Test]
    public void DoubleCommaInArray() => AssertError("a = [1,,2]", 1, 8, "unexpected ',' in array");

    [Test]
    public void GarbageAfterTopLevelValue() =>
        AssertError("port = 4222 5\n", 1, 13, "expected a new line, ';' or ',' after the value of 'port', got '5'");

    [Test]
    public void GarbageAfterArrayValue() => AssertError("a = [1 2]", 1, 8, "expected ',', a new line or ']'");

    [Test]
    public void ClosingBracketInMap() => AssertError("a {\n  ]\n}", 2, 3, "unexpected ']' in a map");

    [Test]
    public void MissingValueInMap() => AssertError("a { b = }", 1, 9, "expected a value for 'b'");

    [Test]
    public void MissingValueBeforeCommaInMap() => AssertError("a { b = , c = 1 }", 1, 9, "expected a value for 'b'");

    [TestCase("foo = 12-04")]
    [TestCase("foo = 2016-05-04X")]
    public void MalformedDates(string text) => Assert.That(ParseError(text).Reason, Does.Contain("ISO 8601"));

    [TestCase("A@@Føøøø?˛ø:{øøøø˙˙")]
    [TestCase("include \"9/\uFFFD")]
    public void TruncatedInputsEndInAnErrorNotALoop(string text)
    {
        Assert.That(() => Parse(text), Throws.TypeOf<ConfigException>());
    }

    [Test]
    public void NulCharacterIsNotEndOfFile()
    {
        Assert.That(Parse("a = \"x\0y\"")["a"].AsString(), Is.EqualTo("x\0y"));
    }

    [Test]
    public void ErrorsNameTheFile()
    {
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseString("a = 1\nb {\n  c = 1 2\n}", "/etc/nats/server.conf"))!;
        Assert.That(error.File, Is.EqualTo("/etc/nats/server.conf"));
        Assert.That(error.Message, Does.StartWith("/etc/nats/server.conf:3:9: "));
    }

    [Test]
    public void UnreadableFileIsAConfigException()
    {
        var path = Path.Combine(Path.GetTempPath(), "does-not-exist-" + Guid.NewGuid().ToString("N") + ".conf");
        var error = Assert.Throws<ConfigException>(() => ConfParser.ParseFile(path))!;
        Assert.That(error.File, Is.EqualTo(path));
        Assert.That(error.Line, Is.Zero);
        Assert.That(error.Message, Does.StartWith($"{path}: cannot read config file"));
    }
}
