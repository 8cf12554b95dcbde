using System.Text;

namespace Nats.WebSocket.Handshake;

/// <summary>
/// Reads one HTTP/1.x request head from a stream without reading past it more than one
/// chunk, bounded in size: a peer can make us hold at most <c>maxHeadBytes</c>. Time is
/// bounded by the caller's token (the handshake timeout).
/// </summary>
internal static class HttpRequestReader
{
    /// <summary>What reading produced.</summary>
    internal readonly record struct Outcome(HttpUpgradeRequest? Request, HandshakeRejection? Rejection, int ExtraBytes);

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public static async ValueTask<Outcome> ReadAsync(Stream stream, int maxHeadBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[maxHeadBytes];
        var filled = 0;
        var searchFrom = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                return new(null, HandshakeRejection.HeadTooLarge, 0);
            }
            var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("connection closed during the websocket handshake");
            }
            filled += read;
            var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf(HeadEnd);
            if (end >= 0)
            {
                var headLength = searchFrom + end + HeadEnd.Length;
                var parsed = Parse(buffer.AsSpan(0, headLength - 2));
                return parsed.Request is null ? parsed : parsed with { ExtraBytes = filled - headLength };
            }
            searchFrom = Math.Max(0, filled - (HeadEnd.Length - 1));
        }
    }

    /// <summary>Parses the head (request line and header lines, each ending CRLF).</summary>
    internal static Outcome Parse(ReadOnlySpan<byte> head)
    {
        // Latin-1 keeps every byte; Go does not decode header bytes either.
        var text = Encoding.Latin1.GetString(head);
        var lines = text.Split("\r\n");
        var requestLine = lines[0].Split(' ');
        if (requestLine.Length != 3 || requestLine[0].Length == 0 || requestLine[1].Length == 0)
        {
            return new(null, HandshakeRejection.MalformedRequest("malformed HTTP request"), 0);
        }
        var version = requestLine[2];
        if (version is not ("HTTP/1.1" or "HTTP/1.0"))
        {
            return new(null, HandshakeRejection.MalformedRequest("unsupported protocol version"), 0);
        }
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
            {
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon <= 0 || line.AsSpan(0, colon).ContainsAny(" \t"))
            {
                return new(null, HandshakeRejection.MalformedRequest("malformed MIME header line"), 0);
            }
            headers.Add(new(line[..colon], line[(colon + 1)..].Trim(' ', '\t')));
        }
        var request = new HttpUpgradeRequest(requestLine[0], requestLine[1], version, headers);
        // Go's server: HTTP/1.1 needs exactly one Host header, checked before any handler runs.
        var hosts = request.GetAll("Host").Count();
        if (hosts > 1 || (hosts == 0 && version == "HTTP/1.1"))
        {
            return new(null, HandshakeRejection.MalformedRequest(hosts > 1 ? "too many Host headers" : "missing required Host header"), 0);
        }
        return new(request, null, 0);
    }
}
