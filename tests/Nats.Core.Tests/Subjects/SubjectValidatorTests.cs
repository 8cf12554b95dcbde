using Nats.Core.Subjects;

namespace Nats.Core.Tests.Subjects;

public sealed class SubjectValidatorTests
{
    // nats-server sublist_test.go TestSublistValidSubjects.
    [TestCase(".", false)]
    [TestCase(".foo", false)]
    [TestCase("foo.", false)]
    [TestCase("foo..bar", false)]
    [TestCase(">.bar", false)]
    [TestCase("foo.>.bar", false)]
    [TestCase("", false)]
    [TestCase("foo", true)]
    [TestCase("foo.bar.*", true)]
    [TestCase("foo.bar.>", true)]
    [TestCase("*", true)]
    [TestCase(">", true)]
    [TestCase("*.*.>", true)]
    [TestCase("foo*", true)]
    [TestCase("foo**", true)]
    [TestCase("foo.**", true)]
    [TestCase("foo*bar", true)]
    [TestCase("foo.*bar", true)]
    [TestCase("foo*.bar", true)]
    [TestCase("*bar", true)]
    [TestCase("foo>", true)]
    [TestCase("foo.>>", true)]
    [TestCase("foo>bar", true)]
    [TestCase("foo.>bar", true)]
    [TestCase("foo>.bar", true)]
    [TestCase(">bar", true)]
    [TestCase(">bar.baz", true)]
    // Whitespace, in short and long tokens alike.
    [TestCase("foo bar", false)]
    [TestCase("foo. ", false)]
    [TestCase("foo.\t", false)]
    [TestCase("fo\ro", false)]
    [TestCase("foo.ba\nr", false)]
    [TestCase("\f", false)]
    [TestCase("foo\vbar", true)] // Not in nats-server's whitespace set.
    [TestCase("ünïcode.subjéct", true)]
    public void IsValidSubject(string subject, bool expected)
    {
        Assert.That(SubjectValidator.IsValidSubject(subject), Is.EqualTo(expected), "string");
        Assert.That(SubjectValidator.IsValidSubject(TestSubs.Utf8(subject)), Is.EqualTo(expected), "bytes");
    }

    // TestSublistValidLiteralSubjects.
    [TestCase("foo", true)]
    [TestCase(".foo", false)]
    [TestCase("foo.", false)]
    [TestCase("foo..bar", false)]
    [TestCase("foo.bar.*", false)]
    [TestCase("foo.bar.>", false)]
    [TestCase("*", false)]
    [TestCase(">", false)]
    [TestCase("", false)]
    [TestCase("foo*", true)]
    [TestCase("foo**", true)]
    [TestCase("foo.**", true)]
    [TestCase("foo*bar", true)]
    [TestCase("foo.*bar", true)]
    [TestCase("foo*.bar", true)]
    [TestCase("*bar", true)]
    [TestCase("foo>", true)]
    [TestCase("foo>>", true)]
    [TestCase("foo.>>", true)]
    [TestCase("foo>bar", true)]
    [TestCase("foo.>bar", true)]
    [TestCase("foo>.bar", true)]
    [TestCase(">bar", true)]
    public void IsValidLiteralSubject(string subject, bool expected)
    {
        Assert.That(SubjectValidator.IsValidLiteralSubject(subject), Is.EqualTo(expected), "string");
        Assert.That(SubjectValidator.IsValidLiteralSubject(TestSubs.Utf8(subject)), Is.EqualTo(expected), "bytes");
    }

    [Test]
    public void IsValidLiteralSubjectDoesNotCheckWhitespaceLikeNatsServer()
    {
        Assert.That(SubjectValidator.IsValidLiteralSubject("foo bar"), Is.True);
        Assert.That(SubjectValidator.IsValidPublishSubject("foo bar"), Is.False);
    }

    [TestCase("foo.bar", true)]
    [TestCase("foo*.bar>", true)]
    [TestCase("foo.*", false)]
    [TestCase("foo.>", false)]
    [TestCase("foo..bar", false)]
    [TestCase("foo. bar", false)]
    [TestCase("", false)]
    public void IsValidPublishSubject(string subject, bool expected)
    {
        Assert.That(SubjectValidator.IsValidPublishSubject(subject), Is.EqualTo(expected), "string");
        Assert.That(SubjectValidator.IsValidPublishSubject(TestSubs.Utf8(subject)), Is.EqualTo(expected), "bytes");
    }

    // TestSubjectIsLiteral.
    [TestCase("foo", false)]
    [TestCase("foo.bar", false)]
    [TestCase("foo*.bar", false)]
    [TestCase("*", true)]
    [TestCase(">", true)]
    [TestCase("foo.*", true)]
    [TestCase("foo.>", true)]
    [TestCase("foo.*.>", true)]
    [TestCase("foo.*.bar", true)]
    [TestCase("foo.bar.>", true)]
    [TestCase("*.bar", true)]
    [TestCase("foo.>bar", false)]
    [TestCase("**.>>", false)]
    [TestCase("", false)]
    public void HasWildcard(string subject, bool expected)
    {
        Assert.That(SubjectValidator.HasWildcard(subject), Is.EqualTo(expected), "string");
        Assert.That(SubjectValidator.HasWildcard(TestSubs.Utf8(subject)), Is.EqualTo(expected), "bytes");
        Assert.That(SubjectValidator.IsLiteral(TestSubs.Utf8(subject)), Is.EqualTo(!expected), "IsLiteral");
    }

    [Test]
    public void CheckRunesRejectsNulInvalidUtf8AndReplacementCharacter()
    {
        // TestSublistValidSubjects: embedded NUL.
        byte[] withNul = [.. "foo.bar.baz."u8, 0];
        Assert.That(SubjectValidator.IsValidSubject(withNul, checkRunes: true), Is.False);
        Assert.That(SubjectValidator.IsValidSubject("foo.b\0r"u8, checkRunes: true), Is.False);
        Assert.That(SubjectValidator.IsValidSubject("foo.b\0r"u8, checkRunes: false), Is.True);

        byte[] invalidUtf8 = [(byte)'f', 0xC3, 0x28, (byte)'.', (byte)'x'];
        Assert.That(SubjectValidator.IsValidSubject(invalidUtf8, checkRunes: true), Is.False);
        Assert.That(SubjectValidator.IsValidSubject(invalidUtf8, checkRunes: false), Is.True);

        Assert.That(SubjectValidator.IsValidSubject("foo.\uFFFD", checkRunes: true), Is.False);
        Assert.That(SubjectValidator.IsValidSubject("foo.\uD800bar", checkRunes: true), Is.False, "lone surrogate");
        Assert.That(SubjectValidator.IsValidSubject("foo.ünï.*", checkRunes: true), Is.True);
    }

    [Test]
    public void LongStringsAreEncodedBeyondTheStackBuffer()
    {
        var longSubject = string.Join('.', Enumerable.Range(0, 200).Select(i => "token" + i));
        Assert.That(longSubject.Length, Is.GreaterThan(Utf8Scratch.StackSize));
        Assert.That(SubjectValidator.IsValidSubject(longSubject), Is.True);
        Assert.That(SubjectValidator.IsValidSubject(longSubject + ".>.x"), Is.False);
        Assert.That(SubjectValidator.HasWildcard(longSubject + ".*"), Is.True);
    }
}
