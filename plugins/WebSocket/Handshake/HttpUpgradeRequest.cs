namespace Nats.WebSocket.Handshake;

/// <summary>
/// An HTTP/1.x request head as read off the wire: request line and header fields in the order
/// sent. Header names compare without case, as Go's canonical header keys do.
/// </summary>
public sealed class HttpUpgradeRequest
{
    internal HttpUpgradeRequest(string method, string target, string version, List<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Version = version;
        Headers = headers;
    }

    /// <summary>GET, POST, …</summary>
    public string Method { get; }

    /// <summary>The request target (path and query).</summary>
    public string Target { get; }

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Version { get; }

    /// <summary>Every header field in the order received.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The first value of <paramref name="name"/>, or "" (Go's <c>Header.Get</c>).</summary>
    public string Get(string name)
    {
        foreach (var (key, value) in Headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return "";
    }

    /// <summary>Every value of <paramref name="name"/>.</summary>
    public IEnumerable<string> GetAll(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>True when a comma-separated token of <paramref name="name"/> equals <paramref name="token"/> without case (nats-server's <c>wsHeaderContains</c>).</summary>
    public bool HeaderContains(string name, string token) =>
        GetAll(name).Any(value => value.Split(',').Any(t => t.Trim(' ', '\t').Equals(token, StringComparison.OrdinalIgnoreCase)));

    /// <summary>The path part of the target, without query.</summary>
    public string Path
    {
        get
        {
            var end = Target.IndexOfAny(['?', '#']);
            return end < 0 ? Target : Target[..end];
        }
    }

    /// <summary>Cookies from every <c>Cookie</c> header, as Go's <c>Request.Cookies</c> reads them (quotes around values removed).</summary>
    public IEnumerable<KeyValuePair<string, string>> Cookies()
    {
        foreach (var line in GetAll("Cookie"))
        {
            foreach (var part in line.Split(';'))
            {
                var pair = part.Trim(' ', '\t');
                var eq = pair.IndexOf('=');
                if (eq <= 0)
                {
                    continue;
                }
                var name = pair[..eq];
                var value = pair[(eq + 1)..];
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1];
                }
                yield return new(name, value);
            }
        }
    }
}
