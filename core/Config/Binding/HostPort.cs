using System.Globalization;

namespace Nats.Core.Config.Binding;

/// <summary>
/// nats-server's <c>listen</c>/<c>http</c> values: a port number, or <c>host:port</c> split the
/// way Go's <c>net.SplitHostPort</c> does (<c>[::1]:4222</c>, <c>:4222</c> for any host).
/// </summary>
public readonly record struct HostPort(string Host, int Port)
{
    /// <summary>Splits <c>host:port</c>; on failure <paramref name="error"/> holds nats-server's message.</summary>
    public static bool TryParse(string text, out HostPort value, out string? error)
    {
        value = default;
        error = null;
        if (!TrySplit(text, out var host, out var port))
        {
            error = $"could not parse address string \"{text}\"";
            return false;
        }
        // Go's strconv.Atoi: optional sign, decimal digits only.
        if (!int.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            error = $"could not parse port \"{port}\"";
            return false;
        }
        value = new HostPort(host, number);
        return true;
    }

    /// <summary>Parses a config value: an integer is a port alone (the host is left empty), a string is <c>host:port</c>.</summary>
    internal static bool TryParse(ConfValue value, out HostPort result, out string? error)
    {
        switch (value)
        {
            case ConfInteger i when i.Value is >= int.MinValue and <= int.MaxValue:
                result = new HostPort("", (int)i.Value);
                error = null;
                return true;
            case ConfString s:
                return TryParse(s.Value, out result, out error);
            default:
                result = default;
                error = $"expected port or host:port, got {GoText.TypeName(value)}";
                return false;
        }
    }

    // net.SplitHostPort: the port follows the last colon; a host holding colons needs brackets.
    private static bool TrySplit(string text, out string host, out string port)
    {
        host = port = "";
        var colon = text.LastIndexOf(':');
        if (colon < 0)
        {
            return false;
        }
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0 || close + 1 != colon)
            {
                return false;
            }
            host = text[1..close];
        }
        else
        {
            host = text[..colon];
            if (host.Contains(':') || host.Contains('[') || host.Contains(']'))
            {
                return false;
            }
        }
        port = text[(colon + 1)..];
        return true;
    }
}
