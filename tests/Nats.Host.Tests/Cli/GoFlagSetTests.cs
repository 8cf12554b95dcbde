using Nats.Host.Cli;

namespace Nats.Host.Tests.Cli;

/// <summary>Go <c>flag</c> package semantics, which nats-server's command line follows.</summary>
[TestFixture]
public sealed class GoFlagSetTests
{
    private static GoFlagSet Flags()
    {
        var set = new GoFlagSet();
        set.Define(FlagKind.Int, "p", "port");
        set.Define(FlagKind.String, "c", "config");
        set.Define(FlagKind.Bool, "D", "debug");
        set.Define(FlagKind.Bool, "T");
        return set;
    }

    private static GoFlagSet.Result Parse(params string[] args) => Flags().Parse(args);

    private static string ParseError(params string[] args) =>
        Assert.Throws<FlagParseException>(() => Flags().Parse(args))!.Message;

    [TestCase("-p", "4222")]
    [TestCase("--p", "4222")]
    [TestCase("-port", "4222")]
    [TestCase("--port", "4222")]
    [TestCase("-p=4222")]
    [TestCase("--port=4222")]
    public void Values_follow_with_a_space_or_an_equals_sign_after_one_or_two_dashes(params string[] args)
    {
        var setting = Parse(args).Settings.Single();
        Assert.That((setting.Kind, setting.IntValue), Is.EqualTo((FlagKind.Int, 4222L)));
    }

    [Test]
    public void Bool_flags_are_set_by_presence_or_explicit_value()
    {
        Assert.That(Parse("-D").Settings.Single().BoolValue, Is.True);
        Assert.That(Parse("--debug=false").Settings.Single().BoolValue, Is.False);
        Assert.That(Parse("-T=0").Settings.Single().BoolValue, Is.False);
        Assert.That(Parse("-T=T").Settings.Single().BoolValue, Is.True);
    }

    [Test]
    public void A_bool_flag_never_takes_the_next_argument()
    {
        var result = Parse("-D", "false");
        Assert.Multiple(() =>
        {
            Assert.That(result.Settings.Single().BoolValue, Is.True);
            Assert.That(result.Arguments, Is.EqualTo(new[] { "false" }));
        });
    }

    [Test]
    public void A_value_may_start_with_a_dash()
    {
        Assert.That(Parse("-p", "-1").Settings.Single().IntValue, Is.EqualTo(-1));
        Assert.That(Parse("-c", "-weird.conf").Settings.Single().RawValue, Is.EqualTo("-weird.conf"));
    }

    [Test]
    public void Settings_keep_the_order_given_so_the_last_alias_wins()
    {
        var settings = Parse("-p", "1", "--port", "2", "-c=a=b").Settings;
        Assert.That(settings.Select(s => (s.Name, s.RawValue)), Is.EqualTo(new[] { ("p", "1"), ("port", "2"), ("c", "a=b") }));
    }

    [Test]
    public void Parsing_stops_at_the_first_non_flag_and_after_a_double_dash()
    {
        Assert.That(Parse("-D", "version", "-p", "1").Arguments, Is.EqualTo(new[] { "version", "-p", "1" }));
        Assert.That(Parse("--", "-p", "1").Arguments, Is.EqualTo(new[] { "-p", "1" }));
        Assert.That(Parse("-", "-D").Arguments, Is.EqualTo(new[] { "-", "-D" }));
    }

    [TestCase(new[] { "-bogus" }, "flag provided but not defined: -bogus")]
    [TestCase(new[] { "--bogus=1" }, "flag provided but not defined: -bogus")]
    [TestCase(new[] { "-p" }, "flag needs an argument: -p")]
    [TestCase(new[] { "-p", "abc" }, "invalid value \"abc\" for flag -p: parse error")]
    [TestCase(new[] { "-p", "99999999999999999999" }, "invalid value \"99999999999999999999\" for flag -p: value out of range")]
    [TestCase(new[] { "-D=maybe" }, "invalid boolean value \"maybe\" for -D: parse error")]
    [TestCase(new[] { "---p" }, "bad flag syntax: ---p")]
    [TestCase(new[] { "-=x" }, "bad flag syntax: -=x")]
    public void Errors_use_Go_wording(string[] args, string message) => Assert.That(ParseError(args), Is.EqualTo(message));

    [TestCase("4222", 4222L)]
    [TestCase("+5", 5L)]
    [TestCase("-1", -1L)]
    [TestCase("0x10", 16L)]
    [TestCase("0o17", 15L)]
    [TestCase("017", 15L)]
    [TestCase("0b101", 5L)]
    [TestCase("1_000", 1000L)]
    [TestCase("0", 0L)]
    public void Integers_parse_like_strconv_ParseInt_base_0(string text, long expected)
    {
        Assert.That(GoFlagSet.TryParseInt(text, out var value, out _), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("")]
    [TestCase("-")]
    [TestCase("08")]
    [TestCase("0x")]
    [TestCase("1__0")]
    [TestCase("_1")]
    [TestCase("1_")]
    [TestCase("12a")]
    public void Malformed_integers_are_rejected(string text) =>
        Assert.That(GoFlagSet.TryParseInt(text, out _, out _), Is.False);
}
