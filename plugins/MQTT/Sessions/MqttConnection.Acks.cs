using System.Threading.Channels;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// Acknowledgements of inbound QoS 1/2 PUBLISH packets: PUBACK (PUBREC for QoS 2) once the
/// message is stored, in the order the packets came [MQTT-4.6.0-2]. The read loop queues each
/// store's task and goes on reading; one task sends the acks as the stores complete, so many
/// publishes share a JetStream group commit instead of waiting for one each. A store that
/// fails gets a failure reason code (MQTT 5) or ends the connection (MQTT 3.1.1, which has
/// none; nats-server closes too).
/// </summary>
internal sealed partial class MqttConnection
{
    /// <summary>How many acknowledgements may wait for their stores before the read loop waits too.</summary>
    private const int MaxPendingAcks = 4096;

    // Written by the read loop, drained by the ack task (started at the first store).
    private Channel<PendingAck>? _acks;
    private Task _ackTask = Task.CompletedTask;
    private int _acksQueued;

    private readonly record struct PendingAck(ushort PacketId, int Qos, Task? Stored, bool Allowed);

    /// <summary>Queues (or, with nothing before it and nothing to wait for, sends) the acknowledgement of a PUBLISH.</summary>
    private async ValueTask AcknowledgeAsync(ushort packetId, int qos, Task? stored, bool allowed)
    {
        if (Volatile.Read(ref _acksQueued) == 0 && (stored is null || stored.IsCompletedSuccessfully))
        {
            SendAck(packetId, qos, allowed ? null : MqttPubAckReasonCode.NotAuthorized);
            return;
        }
        if (_acks is null)
        {
            _acks = Channel.CreateBounded<PendingAck>(new BoundedChannelOptions(MaxPendingAcks) { SingleReader = true, SingleWriter = true });
            _ackTask = RunAcksAsync(_acks.Reader);
        }
        Interlocked.Increment(ref _acksQueued);
        await _acks.Writer.WriteAsync(new PendingAck(packetId, qos, stored, allowed)).ConfigureAwait(false);
    }

    private async Task RunAcksAsync(ChannelReader<PendingAck> acks)
    {
        await foreach (var ack in acks.ReadAllAsync().ConfigureAwait(false))
        {
            MqttPubAckReasonCode? failure = ack.Allowed ? null : MqttPubAckReasonCode.NotAuthorized;
            if (ack.Stored is not null)
            {
                try
                {
                    await ack.Stored.ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidOperationException or TimeoutException or ObjectDisposedException)
                {
                    MqttLog.StoreForAckFailed(_runtime.Logger, RemoteText, ClientId, ack.Qos, ack.PacketId, e.Message);
                    failure = MqttPubAckReasonCode.UnspecifiedError;
                    if (!IsV5)
                    {
                        Abort();
                        return;
                    }
                }
            }
            SendAck(ack.PacketId, ack.Qos, failure);
            Interlocked.Decrement(ref _acksQueued);
        }
    }

    /// <summary>PUBACK or PUBREC, with a failure reason for MQTT 5 (3.1.1 clients learn nothing, as from nats-server).</summary>
    private void SendAck(ushort packetId, int qos, MqttPubAckReasonCode? failure)
    {
        var reason = IsV5 && failure is { } code ? code : MqttPubAckReasonCode.Success;
        if (qos == 1)
        {
            InboundQos1Acked();
            Send(new MqttPubAckPacket { PacketIdentifier = packetId, ReasonCode = reason });
        }
        else
        {
            Send(new MqttPubRecPacket { PacketIdentifier = packetId, ReasonCode = (MqttPubRecReasonCode)(int)reason });
        }
    }

    /// <summary>Ends the connection from outside the read loop (which then closes the session).</summary>
    private void Abort()
    {
        _output.Close();
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
        }
    }

    /// <summary>At close: no more acks; waits (bounded) for the queued ones to be sent.</summary>
    private async Task StopAcksAsync()
    {
        if (_acks is null)
        {
            return;
        }
        _acks.Writer.TryComplete();
        await Task.WhenAny(_ackTask, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
    }
}
