using System.Text;

namespace Nats.Core.Protocol;

/// <summary>
/// Turns protocol bytes into the text of nats-server's trace lines: the operation in capitals
/// with its arguments as sent (<c>PUB foo 5</c>), payloads quoted as Go's <c>%q</c> and cut
/// as nats-server's <c>traceMsg</c> cuts them, and the server's own lines as it prints them
/// (<c>OK</c> for <c>+OK</c>, <c>-ERR text</c> without the quotes).
/// </summary>
internal static class ProtocolTrace
{
    /// <summary>
    /// <paramref name="name"/> and the arguments of <paramref name="controlLine"/> (everything
    /// after the operation name and its blanks, CR LF excluded), or the name alone.
    /// </summary>
    public static string Operation(string name, ReadOnlySpan<byte> controlLine)
    {
        var line = WithoutLineEnd(controlLine);
        var blank = line.IndexOfAny((byte)' ', (byte)'\t');
        if (blank < 0)
        {
            return name;
        }
        var arguments = line[(blank + 1)..].TrimStart(" \t"u8);
        return arguments.IsEmpty ? name : $"{name} {Encoding.UTF8.GetString(arguments)}";
    }

    /// <summary>
    /// A payload as nats-server's <c>traceMsg</c> shows it: quoted whole, or, past
    /// <paramref name="max"/> bytes (when positive), the quoted text's first
    /// <paramref name="max"/> bytes followed by <c>...</c> inside the quotes.
    /// </summary>
    public static string Payload(ReadOnlySpan<byte> payload, int max)
    {
        if (max <= 0 || payload.Length <= max)
        {
            return ProtocolSnippet.Quote(payload, int.MaxValue);
        }
        // Go slices the quoted text by bytes (tm[1:maxTrace+1]), escapes included.
        var quoted = Encoding.UTF8.GetBytes(ProtocolSnippet.Quote(payload[..max], int.MaxValue));
        return $"\"{Encoding.UTF8.GetString(quoted.AsSpan(1, max))}...\"";
    }

    /// <summary>
    /// The first line of what the server queues for a client, as nats-server traces it; null
    /// for INFO, which nats-server does not trace.
    /// </summary>
    public static string? Sent(ReadOnlySpan<byte> data)
    {
        var end = data.IndexOf((byte)'\n');
        var line = WithoutLineEnd(end < 0 ? data : data[..(end + 1)]);
        if (line.StartsWith("INFO"u8))
        {
            return null;
        }
        if (line.SequenceEqual("+OK"u8))
        {
            return "OK";
        }
        if (line.StartsWith("-ERR '"u8) && line.Length > 6 && line[^1] == (byte)'\'')
        {
            return $"-ERR {Encoding.UTF8.GetString(line[6..^1])}";
        }
        return Encoding.UTF8.GetString(line);
    }

    /// <summary>
    /// CONNECT's JSON with the password and token replaced, as nats-server's
    /// <c>removeSecretsFromTrace</c> does: a trace must never carry a secret.
    /// </summary>
    public static string RedactConnect(string json) => Redact(Redact(json, "pass"), "auth_token");

    private static string Redact(string json, string field)
    {
        var key = $"\"{field}\"";
        var at = json.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return json;
        }
        var i = at + key.Length;
        while (i < json.Length && json[i] is ' ' or '\t' or ':')
        {
            i++;
        }
        if (i >= json.Length || json[i] != '"')
        {
            return json;
        }
        // The value runs to the next unescaped quote.
        var end = i + 1;
        while (end < json.Length && json[end] != '"')
        {
            end += json[end] == '\\' ? 2 : 1;
        }
        return end >= json.Length ? json : string.Concat(json.AsSpan(0, i + 1), "[REDACTED]", json.AsSpan(end));
    }

    private static ReadOnlySpan<byte> WithoutLineEnd(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\n')
        {
            line = line[..^1];
        }
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        return line;
    }
}
