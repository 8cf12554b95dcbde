using System.Text.Json;
using Nats.JetStream.Api;

namespace Nats.JetStream.Engine.Consumers;

/// <summary>
/// A waiting pull request (<c>$JS.API.CONSUMER.MSG.NEXT</c>): where to deliver, how many messages
/// and bytes are left, when it expires and when its next heartbeat is due. Owned by its consumer's lock.
/// </summary>
internal sealed class PullRequest
{
    public required string Reply;

    /// <summary>Messages still wanted.</summary>
    public int Batch;

    /// <summary>Bytes still allowed (0: no byte limit).</summary>
    public int MaxBytes;

    /// <summary>Whether the request set max_bytes (MaxBytes counts down to zero).</summary>
    public bool MaxBytesSet;

    public bool NoWait;

    /// <summary>Monotonic ms when it expires (0: never).</summary>
    public long ExpiresAt;

    /// <summary>Heartbeat interval in ms (0: none) and when the next one is due.</summary>
    public long HeartbeatMs;
    public long NextHeartbeat;

    /// <summary>Messages delivered to it so far.</summary>
    public int Delivered;

    /// <summary>
    /// Parses a request body as nats-server's nextReqFromMsg: empty (batch 1), a bare integer, or
    /// JSON. Returns an error text for <c>400 Bad Request - …</c>, or null.
    /// </summary>
    public static string? TryParse(ReadOnlySpan<byte> body, long now, out PullRequestArgs args)
    {
        args = new PullRequestArgs(1, 0, false, 0, 0);
        var req = body.Trim(" \t\r\n"u8);
        if (req.Length == 0)
        {
            return null;
        }
        if (req[0] != (byte)'{')
        {
            if (int.TryParse(req, out var n))
            {
                args = args with { Batch = n };
            }
            return null;
        }
        // As Go's json.Unmarshal: the whole document's syntax first, then the fields' types.
        if (GoJsonErrors.Syntax(req) is { } syntax)
        {
            return syntax;
        }
        long expires = 0, heartbeat = 0;
        int batch = 0, maxBytes = 0;
        var noWait = false;
        var reader = new Utf8JsonReader(req);
        reader.Read(); // the '{' checked above
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                continue;
            }
            var goType = name switch
            {
                "expires" or "idle_heartbeat" => "time.Duration",
                "batch" or "max_bytes" => "int",
                "no_wait" => "bool",
                _ => null,
            };
            try
            {
                switch (name)
                {
                    case "expires":
                        expires = reader.GetInt64();
                        break;
                    case "batch":
                        batch = reader.GetInt32();
                        break;
                    case "max_bytes":
                        maxBytes = reader.GetInt32();
                        break;
                    case "no_wait":
                        noWait = reader.GetBoolean();
                        break;
                    case "idle_heartbeat":
                        heartbeat = reader.GetInt64();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
            catch (Exception e) when (goType is not null && e is InvalidOperationException or FormatException)
            {
                return GoJsonErrors.TypeMismatch(ref reader, "JSApiConsumerGetNextRequest", name, goType);
            }
        }
        if (heartbeat > 0 && heartbeat * 2 > expires)
        {
            return "heartbeat value too large";
        }
        args = new PullRequestArgs(batch, maxBytes, noWait, expires, heartbeat);
        return null;
    }
}

/// <summary>A pull request's fields (durations in nanoseconds, as on the wire).</summary>
internal readonly record struct PullRequestArgs(int Batch, int MaxBytes, bool NoWait, long Expires, long Heartbeat);
