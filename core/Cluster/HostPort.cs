using System.Globalization;

namespace Nats.Core.Cluster;

/// <summary>host:port parsing and joining the way nats-server writes addresses (IPv6 in brackets).</summary>
internal static class HostPort
{
    public static string Join(string host, int port) =>
        host.Contains(':') && !host.StartsWith('[') ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Parses <c>host[:port]</c>, using <paramref name="defaultPort"/> when the port is missing.</summary>
    public static (string Host, int Port) Parse(string value, int defaultPort)
    {
        var text = value.Contains("://", StringComparison.Ordinal) ? new Uri(value).Authority : value;
        var colon = text.LastIndexOf(':');
        if (colon > 0 && (text[0] != '[' || text[colon - 1] == ']') && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (text[..colon].Trim('[', ']'), port);
        }
        return (text.Trim('[', ']'), defaultPort);
    }
}
