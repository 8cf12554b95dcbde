namespace Nats.Core.Config;

/// <summary>
/// Go's <c>time.ParseDuration</c>: a sequence of decimal numbers, each with an optional
/// fraction and a unit (<c>ns</c>, <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>, <c>m</c>,
/// <c>h</c>), with an optional leading sign: <c>"2m"</c>, <c>"1h30m"</c>, <c>"1.5s"</c>,
/// <c>"-250ms"</c>. A lone <c>"0"</c> needs no unit. The range is that of Go's
/// <c>time.Duration</c> (int64 nanoseconds); error messages match Go's.
/// </summary>
public static class GoDuration
{
    private const ulong MaxMagnitude = 1UL << 63;

    /// <summary>Parses a Go duration; throws <see cref="FormatException"/> with Go's message on bad input.</summary>
    /// <remarks><see cref="TimeSpan"/> counts 100 ns ticks, so sub-tick parts are truncated toward zero.</remarks>
    public static TimeSpan Parse(string text) => ToTimeSpan(ParseNanoseconds(text));

    /// <summary>Parses a Go duration into whole nanoseconds, exactly as Go does.</summary>
    public static long ParseNanoseconds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseNanoseconds(text, out var nanoseconds, out var error) ? nanoseconds : throw new FormatException(error);
    }

    /// <summary>Parses a Go duration; returns false on bad input.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        var ok = TryParseNanoseconds(text, out var nanoseconds, out _);
        value = ok ? ToTimeSpan(nanoseconds) : default;
        return ok;
    }

    /// <summary>Parses a Go duration into nanoseconds; on failure <paramref name="error"/> holds Go's message.</summary>
    public static bool TryParseNanoseconds(string? text, out long nanoseconds, out string? error)
    {
        nanoseconds = 0;
        error = null;
        var s = (text ?? "").AsSpan();
        var invalid = $"time: invalid duration \"{text}\"";

        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s is "0")
            return true;
        if (s.IsEmpty)
            return Fail(invalid, out error);

        ulong total = 0;
        while (!s.IsEmpty)
        {
            if (s[0] != '.' && !char.IsAsciiDigit(s[0]))
                return Fail(invalid, out error);

            var beforeLength = s.Length;
            if (!TryLeadingInt(ref s, out var whole))
                return Fail(invalid, out error);
            var hasWhole = s.Length != beforeLength;

            ulong fraction = 0;
            double scale = 1;
            var hasFraction = false;
            if (!s.IsEmpty && s[0] == '.')
            {
                s = s[1..];
                var afterDot = s.Length;
                LeadingFraction(ref s, out fraction, out scale);
                hasFraction = s.Length != afterDot;
            }
            if (!hasWhole && !hasFraction)
                return Fail(invalid, out error);

            var unitLength = 0;
            while (unitLength < s.Length && s[unitLength] != '.' && !char.IsAsciiDigit(s[unitLength]))
                unitLength++;
            if (unitLength == 0)
                return Fail($"time: missing unit in duration \"{text}\"", out error);
            var unitText = s[..unitLength].ToString();
            s = s[unitLength..];
            var unit = UnitNanoseconds(unitText);
            if (unit == 0)
                return Fail($"time: unknown unit \"{unitText}\" in duration \"{text}\"", out error);

            if (whole > MaxMagnitude / unit)
                return Fail(invalid, out error);
            var component = whole * unit;
            if (fraction > 0)
            {
                // Go does this part in float64 so fractions of an hour stay nanosecond accurate.
                component += (ulong)(fraction * (unit / scale));
                if (component > MaxMagnitude)
                    return Fail(invalid, out error);
            }
            total += component;
            if (total > MaxMagnitude)
                return Fail(invalid, out error);
        }

        if (negative)
        {
            nanoseconds = unchecked(-(long)total);
            return true;
        }
        if (total > long.MaxValue)
            return Fail(invalid, out error);
        nanoseconds = (long)total;
        return true;
    }

    /// <summary>Converts nanoseconds to a <see cref="TimeSpan"/>, truncating toward zero to 100 ns ticks.</summary>
    public static TimeSpan ToTimeSpan(long nanoseconds) => TimeSpan.FromTicks(nanoseconds / 100);

    private static ulong UnitNanoseconds(string unit) => unit switch
    {
        "ns" => 1,
        "us" or "\u00b5s" or "\u03bcs" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => 0,
    };

    private static bool TryLeadingInt(ref ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > MaxMagnitude / 10)
                return false;
            value = value * 10 + (ulong)(s[i] - '0');
            if (value > MaxMagnitude)
                return false;
        }
        s = s[i..];
        return true;
    }

    // Digits beyond what fits are ignored, as in Go: they are below nanosecond precision.
    private static void LeadingFraction(ref ReadOnlySpan<char> s, out ulong value, out double scale)
    {
        value = 0;
        scale = 1;
        var overflow = false;
        var i = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (overflow)
                continue;
            if (value > (MaxMagnitude - 1) / 10)
            {
                overflow = true;
                continue;
            }
            var next = value * 10 + (ulong)(s[i] - '0');
            if (next > MaxMagnitude)
            {
                overflow = true;
                continue;
            }
            value = next;
            scale *= 10;
        }
        s = s[i..];
    }

    private static bool Fail(string message, out string? error)
    {
        error = message;
        return false;
    }
}
