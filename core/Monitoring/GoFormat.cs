using System.Globalization;
using System.Text;

namespace Nats.Core.Monitoring;

/// <summary>
/// The text forms nats-server's monitoring JSON uses, so that tools parsing it with Go's
/// <c>time</c> package (or by eye) read our output the same way.
/// </summary>
public static class GoFormat
{
    private const long NanosecondsPerTick = 100;

    /// <summary>
    /// Go's <c>time.Duration.String()</c>: <c>"2m0s"</c>, <c>"1h0m0s"</c>, <c>"1.5s"</c>,
    /// <c>"455µs"</c>, <c>"0s"</c>. Used for <c>rtt</c> and other Go-duration strings.
    /// </summary>
    public static string Duration(TimeSpan value) => Duration(value.Ticks * NanosecondsPerTick);

    /// <summary>Go's <c>time.Duration.String()</c> of a nanosecond count.</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0)
        {
            return "0s";
        }
        // Work on the magnitude as ulong so that long.MinValue formats, as in Go.
        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-(nanoseconds + 1)) + 1 : (ulong)nanoseconds;
        var text = new StringBuilder(24);
        if (u < 1_000_000_000UL)
        {
            // Under a second: one unit, with a fraction (Go picks ns, µs or ms).
            string unit;
            int precision;
            if (u < 1_000UL)
            {
                return (negative ? "-" : "") + u.ToString(CultureInfo.InvariantCulture) + "ns";
            }
            if (u < 1_000_000UL)
            {
                unit = "\u00b5s";
                precision = 3;
            }
            else
            {
                unit = "ms";
                precision = 6;
            }
            text.Append(Fraction(ref u, precision));
            text.Insert(0, u.ToString(CultureInfo.InvariantCulture));
            text.Append(unit);
        }
        else
        {
            var fraction = Fraction(ref u, 9);
            var seconds = u % 60;
            u /= 60;
            text.Append(seconds.ToString(CultureInfo.InvariantCulture)).Append(fraction).Append('s');
            if (u > 0)
            {
                var minutes = u % 60;
                u /= 60;
                text.Insert(0, minutes.ToString(CultureInfo.InvariantCulture) + "m");
                if (u > 0)
                {
                    text.Insert(0, u.ToString(CultureInfo.InvariantCulture) + "h");
                }
            }
        }
        if (negative)
        {
            text.Insert(0, '-');
        }
        return text.ToString();
    }

    /// <summary>
    /// nats-server's uptime form (<c>myUptime</c>): whole seconds with years and days,
    /// <c>"1y2d3h4m5s"</c>, <c>"3h0m7s"</c>, <c>"42s"</c>. Used for <c>uptime</c> and <c>idle</c>.
    /// </summary>
    public static string Uptime(TimeSpan value)
    {
        var totalSeconds = (long)Math.Max(0, Math.Floor(value.TotalSeconds));
        var minutes = totalSeconds / 60;
        var hours = minutes / 60;
        var days = hours / 24;
        var years = days / 365;
        var s = totalSeconds % 60;
        var m = minutes % 60;
        var h = hours % 24;
        return years > 0 ? $"{years}y{days % 365}d{h}h{m}m{s}s"
            : days > 0 ? $"{days}d{h}h{m}m{s}s"
            : hours > 0 ? $"{hours}h{m}m{s}s"
            : minutes > 0 ? $"{minutes}m{s}s"
            : $"{s}s";
    }

    /// <summary>
    /// Go's <c>time.RFC3339Nano</c> of a UTC instant, as <c>encoding/json</c> writes a
    /// <c>time.Time</c>: <c>"2024-05-01T10:00:00.1234567Z"</c> (fraction without trailing zeros).
    /// </summary>
    public static string Time(DateTime value)
    {
        var utc = value.Kind switch
        {
            DateTimeKind.Local => value.ToUniversalTime(),
            DateTimeKind.Unspecified => DateTime.SpecifyKind(value, DateTimeKind.Utc),
            _ => value,
        };
        return utc.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Go's <c>fmtFrac</c>: splits off <paramref name="precision"/> decimal digits, trailing zeros dropped.</summary>
    private static string Fraction(ref ulong value, int precision)
    {
        var scale = 1UL;
        for (var i = 0; i < precision; i++)
        {
            scale *= 10;
        }
        var fraction = value % scale;
        value /= scale;
        if (fraction == 0)
        {
            return "";
        }
        return "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(precision, '0').TrimEnd('0');
    }
}
