using System.Globalization;
using System.Text;

namespace Nats.Core.Config.Binding;

/// <summary>
/// Go's spellings of things nats-server puts in its messages: <c>%T</c> type names of config
/// values and <c>time.Duration.String()</c>, so our errors read like nats-server's.
/// </summary>
public static class GoText
{
    /// <summary>What Go's <c>%T</c> prints for the value nats-server's parser would have produced.</summary>
    public static string TypeName(ConfValue value) => value.Kind switch
    {
        ConfValueKind.String => "string",
        ConfValueKind.Integer => "int64",
        ConfValueKind.Float => "float64",
        ConfValueKind.Bool => "bool",
        ConfValueKind.DateTime => "time.Time",
        ConfValueKind.Map => "map[string]interface {}",
        ConfValueKind.List => "[]interface {}",
        _ => value.Kind.ToString(),
    };

    /// <summary>Roughly what Go's <c>%v</c> prints for a config value: scalars as written, containers abbreviated.</summary>
    public static string Value(ConfValue value) => value switch
    {
        ConfMap map => $"map[{string.Join(' ', map.Keys.Select(k => k + ":…"))}]",
        ConfList list => $"[{string.Join(' ', list.Select(Value))}]",
        _ => value.ToString() ?? "",
    };

    /// <summary>Go's <c>time.Duration.String()</c>: <c>0s</c>, <c>1.5ms</c>, <c>30s</c>, <c>2m0s</c>, <c>1h0m0s</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        var nanoseconds = duration.Ticks * 100;
        if (nanoseconds == 0)
        {
            return "0s";
        }
        var sign = nanoseconds < 0 ? "-" : "";
        var u = (ulong)Math.Abs(nanoseconds);
        if (u < 1_000_000_000UL)
        {
            return u switch
            {
                < 1_000UL => sign + u.ToString(CultureInfo.InvariantCulture) + "ns",
                < 1_000_000UL => sign + Fraction(u, 3) + "µs",
                _ => sign + Fraction(u, 6) + "ms",
            };
        }
        var text = new StringBuilder(sign);
        var hours = u / 3_600_000_000_000UL;
        var minutes = u / 60_000_000_000UL % 60;
        if (hours > 0)
        {
            text.Append(hours).Append('h');
        }
        if (hours > 0 || minutes > 0)
        {
            text.Append(minutes).Append('m');
        }
        text.Append(Fraction(u % 60_000_000_000UL, 9)).Append('s');
        return text.ToString();
    }

    /// <summary><paramref name="value"/> / 10^<paramref name="digits"/> with trailing zeros (and a bare dot) dropped.</summary>
    private static string Fraction(ulong value, int digits)
    {
        ulong scale = 1;
        for (var i = 0; i < digits; i++)
        {
            scale *= 10;
        }
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return fraction.Length == 0 ? whole : whole + "." + fraction;
    }
}
