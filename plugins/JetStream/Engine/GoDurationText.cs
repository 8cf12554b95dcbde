using System.Globalization;

namespace Nats.JetStream.Engine;

/// <summary>Formats nanoseconds as Go's <c>time.Duration.String()</c> ("1m30s", "1.5s", "100ms"), for error texts nats-server builds with %v.</summary>
public static class GoDurationText
{
    /// <summary><paramref name="ns"/> nanoseconds as Go prints a <c>time.Duration</c>.</summary>
    public static string Format(long ns)
    {
        if (ns == 0)
        {
            return "0s";
        }
        var sign = ns < 0 ? "-" : "";
        var u = (ulong)Math.Abs(ns);
        if (u < 1_000_000_000UL)
        {
            return u < 1_000UL ? $"{sign}{u}ns" : u < 1_000_000UL ? sign + Fraction(u, 1_000UL) + "µs" : sign + Fraction(u, 1_000_000UL) + "ms";
        }
        var hours = u / 3_600_000_000_000UL;
        var rest = u % 3_600_000_000_000UL;
        var minutes = rest / 60_000_000_000UL;
        var seconds = Fraction(rest % 60_000_000_000UL, 1_000_000_000UL) + "s";
        return hours > 0 ? $"{sign}{hours}h{minutes}m{seconds}" : minutes > 0 ? $"{sign}{minutes}m{seconds}" : sign + seconds;
    }

    private static string Fraction(ulong value, ulong unit)
    {
        var whole = value / unit;
        var frac = value % unit;
        if (frac == 0)
        {
            return whole.ToString(CultureInfo.InvariantCulture);
        }
        var digits = unit.ToString(CultureInfo.InvariantCulture).Length - 1;
        return whole.ToString(CultureInfo.InvariantCulture) + "." + frac.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
    }
}
