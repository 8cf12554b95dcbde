using Nats.Core.Subjects;

namespace Nats.Core.Tests.Subjects;

public sealed class SubjectMatcherTests
{
    // TestIsSubsetMatch, plus literal-subject-against-filter cases.
    [TestCase("foo.bar", "foo.bar", true)]
    [TestCase("foo.*", ">", true)]
    [TestCase("foo.*", "*.*", true)]
    [TestCase("foo.*", "foo.*", true)]
    [TestCase("foo.*", "foo.bar", false)]
    [TestCase("foo.>", ">", true)]
    [TestCase("foo.>", "*.>", true)]
    [TestCase("foo.>", "foo.>", true)]
    [TestCase("foo.>", "foo.bar", false)]
    [TestCase("foo..bar", "foo.*", false)]
    [TestCase("foo.*", "foo..bar", false)]
    [TestCase("foo.bar", "foo.*", true)]
    [TestCase("foo.bar.baz", "foo.*", false)]
    [TestCase("foo.bar.baz", "foo.>", true)]
    [TestCase("foo", "foo.>", false)]
    [TestCase("foo", ">", true)]
    [TestCase("foo.bar", "*.bar", true)]
    [TestCase("foo.baz", "*.bar", false)]
    [TestCase("foo", "foo.bar", false)]
    [TestCase("foo.bar", "foo", false)]
    [TestCase("foo.*x", "foo.*x", true)]
    [TestCase("foo.abc", "foo.*x", false)] // '*x' is a literal token.
    public void SubjectMatchesFilter(string subject, string filter, bool expected)
    {
        Assert.That(SubjectMatcher.SubjectMatchesFilter(subject, filter), Is.EqualTo(expected), "string");
        Assert.That(SubjectMatcher.IsSubsetMatch(TestSubs.Utf8(subject), TestSubs.Utf8(filter)), Is.EqualTo(expected), "bytes");
    }

    // TestSublistMatchLiterals.
    [TestCase("foo", "foo", true)]
    [TestCase("foo", "bar", false)]
    [TestCase("foo", "*", true)]
    [TestCase("foo", ">", true)]
    [TestCase("foo.bar", ">", true)]
    [TestCase("foo.bar", "foo.>", true)]
    [TestCase("foo.bar", "bar.>", false)]
    [TestCase("stats.test.22", "stats.>", true)]
    [TestCase("stats.test.22", "stats.*.*", true)]
    [TestCase("foo.bar", "foo", false)]
    [TestCase("stats.test.foos", "stats.test.foos", true)]
    [TestCase("stats.test.foos", "stats.test.foo", false)]
    [TestCase("stats.test", "stats.test.*", false)]
    [TestCase("stats.test.foos", "stats.*", false)]
    [TestCase("stats.test.foos", "stats.*.*.foos", false)]
    [TestCase("foo", "foo.>", false)]
    [TestCase("*bar", "*bar", true)]
    [TestCase("foo*", "foo*", true)]
    [TestCase("foo*bar", "foo*bar", true)]
    [TestCase("foo.***.bar", "foo.***.bar", true)]
    [TestCase(">bar", ">bar", true)]
    [TestCase("foo>", "foo>", true)]
    [TestCase("foo>bar", "foo>bar", true)]
    [TestCase("foo.>>>.bar", "foo.>>>.bar", true)]
    [TestCase("a.>", "a.*", true)] // A wildcard-looking literal token is matched by '*' like any token.
    [TestCase("a.*", "a.b", false)]
    public void MatchLiteral(string literal, string pattern, bool expected)
    {
        Assert.That(SubjectMatcher.MatchLiteral(literal, pattern), Is.EqualTo(expected), "string");
        Assert.That(SubjectMatcher.MatchLiteral(TestSubs.Utf8(literal), TestSubs.Utf8(pattern)), Is.EqualTo(expected), "bytes");
    }

    // TestSublistSubjectCollide and more.
    [TestCase("foo.*", "foo.*.bar.>", false)]
    [TestCase("foo.*.bar.>", "foo.*", false)]
    [TestCase("foo.*", "foo.foo", true)]
    [TestCase("foo.*", "*.foo", true)]
    [TestCase("foo.bar.>", "*.bar.foo", true)]
    [TestCase("foo.bar", "foo.bar", true)]
    [TestCase("foo.bar", "foo.baz", false)]
    [TestCase("foo.>", "foo.*.*", true)]
    [TestCase("foo.*.*", "foo.>", true)]
    [TestCase("foo.*", "bar.*", false)]
    [TestCase("*.*", "*.*.*", false)]
    [TestCase(">", "a.b.c", true)]
    [TestCase("a.b.c", ">", true)]
    [TestCase("foo.>", "foo", false)]
    public void SubjectsCollide(string a, string b, bool expected)
    {
        Assert.That(SubjectMatcher.SubjectsCollide(a, b), Is.EqualTo(expected), "string");
        Assert.That(SubjectMatcher.SubjectsCollide(TestSubs.Utf8(a), TestSubs.Utf8(b)), Is.EqualTo(expected), "bytes");
    }

    [Test]
    public void TokenCountAndTokenAt()
    {
        Assert.That(SubjectTokens.Count(""), Is.EqualTo(0));
        Assert.That(SubjectTokens.Count("foo"), Is.EqualTo(1));
        Assert.That(SubjectTokens.Count("foo.bar.baz.*"u8), Is.EqualTo(4));
        Assert.That(SubjectTokens.Count("a..b"u8), Is.EqualTo(3));

        // TestSubjectToken: one-based.
        const string s = "foo.bar.baz.*";
        Assert.That(SubjectTokens.TokenAt(s, 0), Is.EqualTo(""));
        Assert.That(SubjectTokens.TokenAt(s, 1), Is.EqualTo("foo"));
        Assert.That(SubjectTokens.TokenAt(s, 2), Is.EqualTo("bar"));
        Assert.That(SubjectTokens.TokenAt(s, 3), Is.EqualTo("baz"));
        Assert.That(SubjectTokens.TokenAt(s, 4), Is.EqualTo("*"));
        Assert.That(SubjectTokens.TokenAt(s, 5), Is.EqualTo(""));
        Assert.That(SubjectTokens.TokenAt("foo.bar.baz.*"u8, 3).SequenceEqual("baz"u8), Is.True);
        Assert.That(SubjectTokens.TokenAt("foo.bar"u8, 3).IsEmpty, Is.True);
    }

    [Test]
    public void TokenizerYieldsEmptyTokens()
    {
        var tokens = new List<string>();
        foreach (var t in new SubjectTokenizer("a..b."u8))
        {
            tokens.Add(System.Text.Encoding.UTF8.GetString(t));
        }
        Assert.That(tokens, Is.EqualTo(new[] { "a", "", "b", "" }));

        var count = 0;
        foreach (var t in new SubjectTokenizer(default))
        {
            Assert.That(t.IsEmpty, Is.True);
            count++;
        }
        Assert.That(count, Is.EqualTo(1));
    }
}
