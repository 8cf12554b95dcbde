using Nats.Core.Config;
using static Nats.Core.Tests.Config.ConfTestSupport;

namespace Nats.Core.Tests.Config;

/// <summary>Go durations and the nats-server rule for duration options.</summary>
public class DurationTests
{
    [TestCase("0", 0L)]
    [TestCase("+0", 0L)]
    [TestCase("-0", 0L)]
    [TestCase("5s", 5_000_000_000L)]
    [TestCase("30s", 30_000_000_000L)]
    [TestCase("1478s", 1_478_000_000_000L)]
    [TestCase("-5s", -5_000_000_000L)]
    [TestCase("+5s", 5_000_000_000L)]
    [TestCase("-0s", 0L)]
    [TestCase("2m", 120_000_000_000L)]
    [TestCase("1h30m", 5_400_000_000_000L)]
    [TestCase("250ms", 250_000_000L)]
    [TestCase("1.5s", 1_500_000_000L)]
    [TestCase(".5s", 500_000_000L)]
    [TestCase("1.s", 1_000_000_000L)]
    [TestCase("1.0s", 1_000_000_000L)]
    [TestCase("10us", 10_000L)]
    [TestCase("10µs", 10_000L)]
    [TestCase("10μs", 10_000L)]
    [TestCase("3ns", 3L)]
    [TestCase("1h1m1s1ms1us1ns", 3_661_001_001_001L)]
    [TestCase("39h9m14.425s", 140_954_425_000_000L)]
    [TestCase("52763797000ns", 52_763_797_000L)]
    [TestCase("0.3333333333333333333h", 1_200_000_000_000L)]
    [TestCase("9007199254740993ns", 9_007_199_254_740_993L)]
    [TestCase("9223372036854775807ns", long.MaxValue)]
    [TestCase("9223372036.854775807s", long.MaxValue)]
    [TestCase("-9223372036854775808ns", long.MinValue)]
    [TestCase("0.100000000000000000000h", 360_000_000_000L)]
    public void ParsesLikeGo(string text, long nanoseconds)
    {
        Assert.That(GoDuration.ParseNanoseconds(text), Is.EqualTo(nanoseconds));
        Assert.That(GoDuration.Parse(text), Is.EqualTo(TimeSpan.FromTicks(nanoseconds / 100)));
    }

    [TestCase("", "time: invalid duration \"\"")]
    [TestCase("3", "time: missing unit in duration \"3\"")]
    [TestCase("-", "time: invalid duration \"-\"")]
    [TestCase("s", "time: invalid duration \"s\"")]
    [TestCase(".", "time: invalid duration \".\"")]
    [TestCase("-.", "time: invalid duration \"-.\"")]
    [TestCase(".s", "time: invalid duration \".s\"")]
    [TestCase("+.s", "time: invalid duration \"+.s\"")]
    [TestCase("1d", "time: unknown unit \"d\" in duration \"1d\"")]
    [TestCase("2 m", "time: unknown unit \" m\" in duration \"2 m\"")]
    [TestCase("10S", "time: unknown unit \"S\" in duration \"10S\"")]
    [TestCase("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [TestCase("9223372036854775.808us", "time: invalid duration \"9223372036854775.808us\"")]
    [TestCase("3000000h", "time: invalid duration \"3000000h\"")]
    public void RejectsLikeGo(string text, string message)
    {
        Assert.That(() => GoDuration.Parse(text), Throws.TypeOf<FormatException>().With.Message.EqualTo(message));
        Assert.That(GoDuration.TryParse(text, out _), Is.False);
    }

    [Test]
    public void QuotedStringIsAGoDuration()
    {
        var value = Parse("ping_interval: \"2m\"")["ping_interval"];
        Assert.That(value.AsDuration(out var bare), Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(bare, Is.False);
    }

    [Test]
    public void BareStringIsAGoDurationToo()
    {
        Assert.That(Parse("write_deadline: 10s")["write_deadline"].AsDuration(), Is.EqualTo(TimeSpan.FromSeconds(10)));
    }

    [Test]
    public void BareIntegerIsSecondsAndFlagged()
    {
        var value = Parse("ping_interval: 30")["ping_interval"];
        Assert.That(value.AsDuration(out var bare), Is.EqualTo(TimeSpan.FromSeconds(30)));
        Assert.That(bare, Is.True);
    }

    [Test]
    public void UnquotedMinutesBecomeMillionsOfSecondsAndAreDetectable()
    {
        var value = Parse("ping_interval: 2m")["ping_interval"];
        Assert.That(value.AsDuration(out var bare), Is.EqualTo(TimeSpan.FromSeconds(2_000_000)));
        Assert.That(bare, Is.True);
        Assert.That(((ConfInteger)value).HasSizeSuffix, Is.True);
    }

    [Test]
    public void BadDurationStringNamesThePosition()
    {
        var value = Parse("\nping_interval: \"2 minutes\"")["ping_interval"];
        Assert.That(() => value.AsDuration(), Throws.TypeOf<ConfigException>()
            .With.Message.EqualTo("2:16: invalid duration: time: unknown unit \" minutes\" in duration \"2 minutes\""));
    }

    [Test]
    public void OtherTypesAreNotDurations()
    {
        Assert.That(() => Parse("a = true")["a"].AsDuration(), Throws.TypeOf<ConfTypeException>()
            .With.Message.EqualTo("1:5: expected a duration, got boolean true"));
        Assert.That(() => Parse("a = 1.5")["a"].AsDuration(), Throws.TypeOf<ConfTypeException>());
    }

    [Test]
    public void HugeSecondCountIsAnError()
    {
        Assert.That(() => Parse("a = 1E")["a"].AsDuration(), Throws.TypeOf<ConfigException>().With.Message.Contains("out of range"));
    }
}
