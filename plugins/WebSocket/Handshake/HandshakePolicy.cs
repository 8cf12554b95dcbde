using System.Text;
using Nats.WebSocket.Config;

namespace Nats.WebSocket.Handshake;

/// <summary>
/// What the handshake checks and offers, derived once from <see cref="WebSocketOptions"/>
/// (immutable: a reload swaps the whole policy).
/// </summary>
public sealed class HandshakePolicy
{
    /// <summary>nats-server accepts Go's default of 1 MiB of request head; browsers send a few KiB. We hold at most this much.</summary>
    public const int DefaultMaxHeadBytes = 64 * 1024;

    // Asked per upgrade: whether some plugin serves MQTT over a stream (it registers at its start).
    private readonly Func<bool> _mqttEnabled;

    /// <summary>Creates the policy for <paramref name="options"/>.</summary>
    public HandshakePolicy(WebSocketOptions options, bool mqttEnabled = false)
        : this(options, mqttEnabled ? static () => true : static () => false)
    {
    }

    /// <summary>Creates the policy for <paramref name="options"/>, asking <paramref name="mqttEnabled"/> at each <c>/mqtt</c> upgrade.</summary>
    public HandshakePolicy(WebSocketOptions options, Func<bool> mqttEnabled)
    {
        Options = options;
        _mqttEnabled = mqttEnabled;
        var origins = new List<AllowedOrigin>();
        foreach (var text in options.AllowedOrigins)
        {
            // Validated at config time; an entry that still fails is skipped as nats-server does.
            if (AllowedOrigin.TryParse(text, out var origin))
            {
                origins.Add(origin);
            }
        }
        AllowedOrigins = origins;
        var headers = new StringBuilder();
        foreach (var (key, value) in options.Headers)
        {
            headers.Append(key).Append(": ").Append(value).Append("\r\n");
        }
        RawHeaders = headers.ToString();
    }

    /// <summary>The options this policy came from.</summary>
    public WebSocketOptions Options { get; }

    /// <summary>Whether <c>/mqtt</c> upgrades are served (404 otherwise).</summary>
    public bool MqttEnabled => _mqttEnabled();

    /// <summary>The parsed <c>allowed_origins</c>.</summary>
    public IReadOnlyList<AllowedOrigin> AllowedOrigins { get; }

    /// <summary>The configured extra response headers, CRLF-terminated.</summary>
    public string RawHeaders { get; }

    /// <summary>Upper bound on the request head we read.</summary>
    public int MaxHeadBytes { get; init; } = DefaultMaxHeadBytes;
}
