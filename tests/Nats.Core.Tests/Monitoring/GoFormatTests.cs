using Nats.Core.Monitoring;

namespace Nats.Core.Tests.Monitoring;

public class GoFormatTests
{
    // Expected values are what Go's time.Duration.String() prints.
    [TestCase(0L, "0s")]
    [TestCase(1L, "1ns")]
    [TestCase(999L, "999ns")]
    [TestCase(1_000L, "1\u00b5s")]
    [TestCase(455_000L, "455\u00b5s")]
    [TestCase(1_500L, "1.5\u00b5s")]
    [TestCase(1_234_567L, "1.234567ms")]
    [TestCase(1_000_000_000L, "1s")]
    [TestCase(1_500_000_000L, "1.5s")]
    [TestCase(120_000_000_000L, "2m0s")]
    [TestCase(3_600_000_000_000L, "1h0m0s")]
    [TestCase(3_723_000_000_001L, "1h2m3.000000001s")]
    [TestCase(-1_500_000_000L, "-1.5s")]
    [TestCase(long.MinValue, "-2562047h47m16.854775808s")]
    public void DurationMatchesGo(long nanoseconds, string expected)
    {
        Assert.That(GoFormat.Duration(nanoseconds), Is.EqualTo(expected));
    }

    [Test]
    public void DurationOfTimeSpanUsesNanoseconds()
    {
        Assert.That(GoFormat.Duration(TimeSpan.FromMinutes(2)), Is.EqualTo("2m0s"));
        Assert.That(GoFormat.Duration(TimeSpan.FromTicks(4550)), Is.EqualTo("455\u00b5s"));
    }

    // Expected values follow nats-server's myUptime.
    [TestCase(0, "0s")]
    [TestCase(59.9, "59s")]
    [TestCase(61, "1m1s")]
    [TestCase(3600, "1h0m0s")]
    [TestCase(90061, "1d1h1m1s")]
    [TestCase(365 * 86400 + 86400 + 1, "1y1d0h0m1s")]
    public void UptimeMatchesNatsServer(double seconds, string expected)
    {
        Assert.That(GoFormat.Uptime(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [Test]
    public void TimeIsRfc3339NanoInUtc()
    {
        var whole = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);
        Assert.That(GoFormat.Time(whole), Is.EqualTo("2024-05-01T10:00:00Z"));
        Assert.That(GoFormat.Time(whole.AddTicks(1_234_500)), Is.EqualTo("2024-05-01T10:00:00.12345Z"));
        var local = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2));
        Assert.That(GoFormat.Time(DateTime.SpecifyKind(local.UtcDateTime.ToLocalTime(), DateTimeKind.Local)), Is.EqualTo("2024-05-01T10:00:00Z"));
    }
}
