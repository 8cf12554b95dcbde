using Nats.Core.Subjects;

namespace Nats.Core.Tests.Subjects;

/// <summary>
/// The kernel's subject transform against nats-server's own vectors (server/subject_transform_test.go
/// TestSubjectTransforms): what it refuses, what it builds, and what each function produces.
/// </summary>
[TestFixture]
[CancelAfter(10_000)]
public sealed class SubjectTransformTests
{
    [TestCase("foo..", "bar", false)]
    [TestCase("foo.*", "bar.*", false)]
    [TestCase("foo.*", "bar.$2", false)]
    [TestCase("foo.*", "bar.$1.>", false)]
    [TestCase("foo.>", "bar.baz", false)]
    [TestCase("foo.*.*", "bar.$2", true)]
    [TestCase("foo.*", "foo.$foo", true)]
    [TestCase("foo.*", "bar.{{Partition(2,1)}}", true)]
    [TestCase("foo.*", "foo.{{wildcard(2)}}", false)]
    [TestCase("foo.*", "foo.{{unimplemented(1)}}", false)]
    [TestCase("foo.*", "foo.{{partition()}}", false)]
    [TestCase("foo.*", "foo.{{random()}}", false)]
    [TestCase("foo.*", "foo.{{wildcard(foo)}}", false)]
    [TestCase("foo.*", "foo.{{wildcard()}}", false)]
    [TestCase("foo.*", "foo.{{wildcard(1,2)}}", false)]
    [TestCase("foo.*", "foo.{{ wildcard5) }}", false)]
    [TestCase("foo.*", "foo.{{splitLeft(2,2}}", false)]
    [TestCase("foo", "bla.{{wildcard(1)}}", false)]
    [TestCase("foo.*", "foo.{{partition(2147483648)}}", false)]
    [TestCase("foo.*", "foo.{{random(2147483648)}}", false)]
    public void Refuses_what_nats_server_refuses(string source, string destination, bool strict)
    {
        var rules = strict ? SubjectTransformRules.Strict : SubjectTransformRules.Mapping;
        Assert.That(SubjectTransform.TryCreate(source, destination, rules, out var error), Is.Null);
        Assert.That(error, Does.StartWith("invalid mapping destination").Or.EqualTo("invalid subject"));
    }

    [TestCase("foo.*", "bar.{{Wildcard(1)}}", true)]
    [TestCase("foo.*.*", "bar.$2", false)]
    [TestCase("foo.*.*", "bar.{{wildcard(1)}}", false)]
    [TestCase("foo.*.*", "bar.{{partition(1)}}", false)]
    [TestCase("foo.*.*", "bar.{{random(5)}}", false)]
    [TestCase("foo", "bar", false)]
    [TestCase("foo.*.bar.*.baz", "req.$2.$1", false)]
    [TestCase("baz.>", "mybaz.>", false)]
    [TestCase("*", "{{splitfromleft(1,1)}}", false)]
    [TestCase("", "prefix.>", false)]
    [TestCase("*.*", "{{partition(10,1,2)}}", false)]
    [TestCase("foo.*.*", "foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}", false)]
    [TestCase("foo.*", "foo.{{partition(2147483647)}}", false)]
    [TestCase("foo.bar", "foo.{{random(2147483647)}}", false)]
    public void Builds_what_nats_server_builds(string source, string destination, bool strict)
    {
        var rules = strict ? SubjectTransformRules.Strict : SubjectTransformRules.Mapping;
        Assert.That(SubjectTransform.TryCreate(source, destination, rules, out var error), Is.Not.Null, error);
    }

    [TestCase("", "prefix.>", "foo", "prefix.foo")]
    [TestCase("foo", "bar", "foo", "bar")]
    [TestCase("foo.*.bar.*.baz", "req.$2.$1", "foo.A.bar.B.baz", "req.B.A")]
    [TestCase("foo.*.bar.*.baz", "req.{{wildcard(2)}}.{{wildcard(1)}}", "foo.A.bar.B.baz", "req.B.A")]
    [TestCase("baz.>", "my.pre.>", "baz.1.2.3", "my.pre.1.2.3")]
    [TestCase("baz.>", "foo.bar.>", "baz.1.2.3", "foo.bar.1.2.3")]
    [TestCase("*", "foo.bar.$1", "foo", "foo.bar.foo")]
    [TestCase("*", "{{splitfromleft(1,3)}}", "12345", "123.45")]
    [TestCase("*", "{{SplitFromRight(1,3)}}", "12345", "12.345")]
    [TestCase("*", "{{SliceFromLeft(1,3)}}", "1234567890", "123.456.789.0")]
    [TestCase("*", "{{SliceFromRight(1,3)}}", "1234567890", "1.234.567.890")]
    [TestCase("*", "{{split(1,-)}}", "-abc-def--ghi-", "abc.def.ghi")]
    [TestCase("*", "{{split(1,-)}}", "abc-def--ghi-", "abc.def.ghi")]
    [TestCase("*.*", "{{split(2,-)}}.{{splitfromleft(1,2)}}", "foo.-abc-def--ghij-", "abc.def.ghij.fo.o")]
    [TestCase("*", "{{right(1,1)}}", "1234", "4")]
    [TestCase("*", "{{right(1,3)}}", "1234", "234")]
    [TestCase("*", "{{right(1,6)}}", "1234", "1234")]
    [TestCase("*", "{{left(1,1)}}", "1234", "1")]
    [TestCase("*", "{{left(1,3)}}", "1234", "123")]
    [TestCase("*", "{{left(1,6)}}", "1234", "1234")]
    [TestCase("*", "bar.{{partition(0)}}", "baz", "bar.0")]
    [TestCase("*", "bar.{{partition(10, 0)}}", "foo", "bar.3")]
    [TestCase("*.*", "bar.{{partition(10)}}", "foo.bar", "bar.6")]
    [TestCase("*", "bar.{{partition(10)}}", "foo", "bar.3")]
    [TestCase("*", "bar.{{partition(10)}}", "baz", "bar.0")]
    [TestCase("*", "bar.{{partition(10)}}", "qux", "bar.9")]
    [TestCase("*", "bar.{{random(0)}}", "qux", "bar.0")]
    [TestCase("foo.bar", "baz.{{partition(10)}}", "foo.bar", "baz.6")]
    [TestCase("foo.baz", "qux.{{partition(10)}}", "foo.baz", "qux.4")]
    [TestCase("test.subject", "result.{{partition(5)}}", "test.subject", "result.0")]
    [TestCase("*", "{{SliceFromLeft(1,3)}}", "12", "12")]
    [TestCase("*", "{{splitfromleft(1,0)}}", "12345", "12345")]
    public void Produces_what_nats_server_produces(string source, string destination, string subject, string expected)
    {
        var transform = SubjectTransform.Create(source, destination);
        Assert.That(transform.Match(subject), Is.EqualTo(expected));
    }

    [Test]
    public void Random_stays_below_its_ceiling_and_takes_every_value()
    {
        var transform = SubjectTransform.Create("*", "bar.{{random(6)}}");
        var seen = new HashSet<string>();
        for (var i = 0; i < 600 && seen.Count < 6; i++)
        {
            seen.Add(transform.Match("qux")!);
        }
        Assert.That(seen, Is.EquivalentTo(Enumerable.Range(0, 6).Select(n => $"bar.{n}")));
    }

    [Test]
    public void Match_is_null_for_a_subject_outside_the_source()
    {
        var transform = SubjectTransform.Create("orders.*", "o.$1");
        Assert.Multiple(() =>
        {
            Assert.That(transform.Match("orders.1.2"), Is.Null);
            Assert.That(transform.Match("other.1"), Is.Null);
            Assert.That(transform.Match("orders.*"), Is.Null, "a wildcard is not a published subject");
            Assert.That(transform.Match("orders.1"), Is.EqualTo("o.1"));
        });
    }

    [Test]
    public void Errors_carry_nats_server_texts()
    {
        SubjectTransform.TryCreate("foo.*", "foo.{{wildcard(2)}}", SubjectTransformRules.Mapping, out var range);
        SubjectTransform.TryCreate("foo.*", "foo.{{bogus(1)}}", SubjectTransformRules.Mapping, out var unknown);
        SubjectTransform.TryCreate("foo.*.*", "bar.$1", SubjectTransformRules.EveryWildcard, out var notAll);
        Assert.Multiple(() =>
        {
            Assert.That(range, Is.EqualTo("invalid mapping destination: wildcard index out of range in {{wildcard(2)}}: [2]"));
            Assert.That(unknown, Is.EqualTo("invalid mapping destination: unknown function in {{bogus(1)}}"));
            Assert.That(notAll, Is.EqualTo("invalid mapping destination: not using all of the token wildcard(s) in bar.$1"));
        });
    }

    [Test]
    public void Import_form_names_wildcards_with_stars_and_a_prefix_goes_in_front()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SubjectTransform.Tokenize("foo.*.x.*"), Is.EqualTo("foo.$1.x.$2"));
            Assert.That(SubjectTransform.ForImport("private.*", "from_a.*").Apply("private.y"), Is.EqualTo("from_a.y"));
            Assert.That(SubjectTransform.Prefix("news.>", "a").Apply("news.sport.x"), Is.EqualTo("a.news.sport.x"));
        });
    }

    [Test]
    public void Lengths_count_utf8_bytes_as_nats_server()
    {
        // "é" is two bytes: splitting after one byte would cut it; nats-server cuts bytes, and so does this.
        var transform = SubjectTransform.Create("*", "{{left(1,2)}}");
        Assert.That(transform.Match("aéb"u8.ToArray()), Is.EqualTo("a\u00e9"u8.ToArray().Take(2).ToArray()));
    }
}
