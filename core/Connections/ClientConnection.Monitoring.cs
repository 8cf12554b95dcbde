namespace Nats.Core.Connections;

public sealed partial class ClientConnection
{
    // nats-server waits this long for a client's first PING before it PINGs on its own:
    // a client library still in its CONNECT/PING handshake must not see a server PING first.
    private static readonly TimeSpan RttPingDelay = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Starts a round-trip measurement when none was made yet, as nats-server's <c>/connz</c>
    /// does, so the next look shows an RTT. Only for clients that said who they are
    /// (<c>lang</c> in CONNECT): tools like telnet would see an unexpected PING.
    /// </summary>
    internal void RequestRttMeasurement()
    {
        if (Rtt != TimeSpan.Zero || IsClosed || !_connectReceived || string.IsNullOrEmpty(Options.Lang))
        {
            return;
        }
        if (DateTime.UtcNow - StartTime < RttPingDelay)
        {
            return;
        }
        SendRttPing();
    }
}
