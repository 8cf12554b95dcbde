using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// MQTT 5 Will Delay Interval: the will of a connection that ends without a normal DISCONNECT
/// goes after the interval, or when the session ends if that comes first [MQTT-3.1.3-9]; a new
/// connection with the client ID before then cancels it (it takes this one over, which is still
/// registered while it waits). The network connection is closed at once; the kernel client stays
/// until the will is published, so the will goes with the user's permissions.
/// </summary>
internal sealed partial class MqttConnection
{
    // Set at CONNECT (read loop); cancelled by a takeover (the new connection's task).
    private uint _willDelay;
    private readonly CancellationTokenSource _willWait = new();

    /// <summary>How long the will waits: the Will Delay Interval, at most the session's expiry (0: no delay).</summary>
    private TimeSpan WillDelay()
    {
        if (!IsV5 || _willDelay == 0 || !KeepAfterClose)
        {
            return TimeSpan.Zero;
        }
        var seconds = Math.Min(_willDelay, _sessionExpiry);
        return seconds >= int.MaxValue / 1000 ? TimeSpan.FromMilliseconds(int.MaxValue - 1) : TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Closes the network side, waits for the delay (or a takeover, or shutdown), then publishes the will unless taken over.</summary>
    private async Task PublishWillLaterAsync(TimeSpan delay)
    {
        _output.Close();
        await Task.WhenAny(_output.Completion, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_willWait.Token, _runtime.Server.ShutdownToken);
        try
        {
            await Task.Delay(delay, wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            MqttLog.DelayedWillNotSent(_runtime.Logger, RemoteText, ClientId);
            return;
        }
        if (!_takenOver)
        {
            await PublishWillAsync().ConfigureAwait(false);
        }
    }
}
