using System.Globalization;
using System.Net;
using Nats.Core.Config;

namespace Nats.Core.Connections;

/// <summary>
/// A host and port the way nats-server reads and writes them: <c>listen</c>/<c>http</c> values
/// split as Go's <c>net.SplitHostPort</c> does (<c>[::1]:4222</c>, <c>:4222</c> for any host),
/// <c>host:port</c> text with an IPv6 host in brackets, and peer IPs without the IPv6 mapping of
/// a dual-mode socket. Every listener and link uses this one type.
/// </summary>
/// <param name="Host">The host name or address (IPv6 without brackets); empty for any host.</param>
/// <param name="Port">The port.</param>
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
    public static bool TryParse(ConfValue value, out HostPort result, out string? error)
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
                error = $"expected port or host:port, got {Config.Binding.GoText.TypeName(value)}";
                return false;
        }
    }

    /// <summary>
    /// Parses <c>host[:port]</c> or a URL leniently (advertise values, peers' INFO), using
    /// <paramref name="defaultPort"/> when the port is missing.
    /// </summary>
    public static HostPort Parse(string value, int defaultPort)
    {
        var text = value.Contains("://", StringComparison.Ordinal) ? new Uri(value).Authority : value;
        var colon = text.LastIndexOf(':');
        if (colon > 0 && (text[0] != '[' || text[colon - 1] == ']') && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return new HostPort(text[..colon].Trim('[', ']'), port);
        }
        return new HostPort(text.Trim('[', ']'), defaultPort);
    }

    /// <summary><c>host:port</c>, with an IPv6 host in brackets.</summary>
    public static string Join(string host, int port) =>
        host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A peer address as nats-server shows it: IPv4 without the IPv6 mapping of a dual-mode socket.</summary>
    public static string IpText(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>True for the hosts that mean every interface: empty, <c>0.0.0.0</c>, <c>::</c>.</summary>
    public static bool IsAnyHost(string? host) => string.IsNullOrEmpty(host) || host is "0.0.0.0" or "::" or "[::]";

    /// <summary>The address to bind or dial for <paramref name="host"/> (names are resolved).</summary>
    public static IPAddress ToAddress(string? host)
    {
        if (string.IsNullOrEmpty(host) || host == "0.0.0.0")
        {
            return IPAddress.Any;
        }
        if (host is "::" or "[::]")
        {
            return IPAddress.IPv6Any;
        }
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        if (IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            return address;
        }
        return Dns.GetHostAddresses(host).First();
    }

    /// <inheritdoc />
    public override string ToString() => Join(Host, Port);

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
