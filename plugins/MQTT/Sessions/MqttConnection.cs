using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Core.Connections;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

/// <summary>
/// One MQTT client: reads its packets (bounded: remaining length of at most 4 bytes, packets no
/// larger than the limit, keep-alive enforced at 1.5x), runs them against its kernel client
/// (a stream-less client the plugin runs, <see cref="Core.NatsServer.OpenPluginClient"/>, so the
/// server's users, accounts, permissions and limits apply and it is listed in <c>/connz</c> as
/// <c>mqtt</c>), and sends it what its subscriptions receive.
/// </summary>
/// <remarks>
/// Threads: the read loop owns the protocol state; the kernel's deliveries come on publishers'
/// threads (<see cref="IClientDeliveryTarget"/>) and only read the subscription table, which is
/// concurrent; the kernel's close of its client comes on the closing thread (<see cref="IPluginClientHost.OnClosed"/>).
/// Malformed input ends the connection (with a DISCONNECT reason code for MQTT 5 clients); the
/// server and other connections are not affected.
/// </remarks>
internal sealed partial class MqttConnection : IPluginClientHost
{
    private readonly MqttRuntime _runtime;
    private readonly Stream _stream;
    private readonly IPEndPoint? _remote;
    // For the CONNECT deadline only: let go once CONNECT is read (the closure holds the socket).
    private Func<bool>? _inputWaiting;
    private readonly ClientOutput _output;
    private readonly CancellationTokenSource _closing = new();
    private int _closed;
    private bool _normalDisconnect;

    /// <param name="runtime">What the connections share.</param>
    /// <param name="stream">The client's transport.</param>
    /// <param name="remote">The client's address.</param>
    /// <param name="inputWaiting">Whether bytes from the client wait unread in the transport (for the CONNECT deadline; null when not known).</param>
    public MqttConnection(MqttRuntime runtime, Stream stream, IPEndPoint? remote, Func<bool>? inputWaiting = null)
    {
        _runtime = runtime;
        _stream = stream;
        _remote = remote;
        _inputWaiting = inputWaiting;
        _output = new ClientOutput(stream, _closing.Token);
    }

    /// <summary>The MQTT client ID (after CONNECT).</summary>
    public string ClientId { get; private set; } = "";

    /// <summary>The account-qualified key this client is registered under.</summary>
    private string RegistryKey { get; set; } = "";

    /// <summary>The connection is closing (a delayed will may keep it registered meanwhile).</summary>
    public bool IsClosing => Volatile.Read(ref _closed) != 0;

    /// <summary>MQTT 5.</summary>
    public bool IsV5 { get; private set; }

    private string RemoteText => _remote?.ToString() ?? "?";

    /// <summary>Serves the connection until it ends.</summary>
    public async Task RunAsync()
    {
        _runtime.OnOpened();
        // Zero-byte reads: an idle connection waits for data without holding a read buffer.
        var input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true, useZeroByteReads: true));
        try
        {
            if (await ConnectAsync(input).ConfigureAwait(false))
            {
                await ReadLoopAsync(input).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            MqttLog.ConnectionEnded(_runtime.Logger, RemoteText, e.Message);
        }
        catch (Exception e)
        {
            MqttLog.ConnectionFailed(_runtime.Logger, e, RemoteText);
        }
        finally
        {
            await CloseAsync().ConfigureAwait(false);
            await input.CompleteAsync().ConfigureAwait(false);
            _output.Close();
            await Task.WhenAny(_output.Completion, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
            await _stream.DisposeAsync().ConfigureAwait(false);
            _closing.Cancel();
            _runtime.OnClosed();
            _completion.TrySetResult();
        }
    }

    /// <summary>The largest packet accepted once connected: the server's max_payload plus room for topic and properties.</summary>
    private int MaxPacketSize => _runtime.Server.Options.MaxPayload + 65_536;

    private async Task ReadLoopAsync(PipeReader input)
    {
        var keepAlive = _keepAlive;
        // Keep-alive 0 has no deadline: no timer and no registration held while idle.
        using var deadline = keepAlive > TimeSpan.Zero ? new CancellationTokenSource() : null;
        while (_closed == 0)
        {
            deadline?.CancelAfter(keepAlive * 1.5);
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline?.Token ?? default).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline is { IsCancellationRequested: true })
            {
                MqttLog.KeepAliveTimeout(_runtime.Logger, RemoteText, ClientId);
                SendDisconnect(MqttDisconnectReasonCode.KeepAliveTimeout);
                return;
            }
            var buffer = result.Buffer;
            // The publishes of one read share a flush batch: their receivers are flushed once,
            // at its end. The batch is bound to this thread, so it ends before any wait.
            var kernel = KernelClient!;
            kernel.BeginPluginPublishes();
            var batchOpen = true;
            try
            {
                while (_closed == 0)
                {
                    var status = PacketFraming.TryRead(buffer, MaxPacketSize, out var header, out var body, out var size);
                    if (status == FrameStatus.NeedMore)
                    {
                        break;
                    }
                    if (status == FrameStatus.Malformed)
                    {
                        SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
                        return;
                    }
                    if (status == FrameStatus.TooLarge)
                    {
                        SendDisconnect(MqttDisconnectReasonCode.PacketTooLarge);
                        return;
                    }
                    var handling = HandlePacketAsync(header, body);
                    bool keep;
                    if (handling.IsCompletedSuccessfully)
                    {
                        keep = handling.Result;
                    }
                    else
                    {
                        batchOpen = false;
                        await kernel.EndPluginPublishesAsync().ConfigureAwait(false);
                        keep = await handling.ConfigureAwait(false);
                        kernel.BeginPluginPublishes();
                        batchOpen = true;
                    }
                    if (!keep)
                    {
                        return;
                    }
                    buffer = buffer.Slice(size);
                }
                batchOpen = false;
                await kernel.EndPluginPublishesAsync().ConfigureAwait(false);
            }
            finally
            {
                if (batchOpen)
                {
                    await kernel.EndPluginPublishesAsync().ConfigureAwait(false);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>Decodes with MQTTnet's formatter for the negotiated version.</summary>
    private MqttPacket Decode(byte header, in ReadOnlySequence<byte> body, byte[] scratch)
    {
        body.CopyTo(scratch);
        var received = new ReceivedMqttPacket(header, new ArraySegment<byte>(scratch, 0, (int)body.Length), (int)body.Length + 2);
        return MqttFormatters.Decode(IsV5, received);
    }

    /// <summary>Handles one packet; false ends the connection.</summary>
    private async ValueTask<bool> HandlePacketAsync(byte header, ReadOnlySequence<byte> body)
    {
        var type = header >> 4;
        var flags = header & 0x0f;
        // [MQTT-2.2.2-2]: PUBREL, SUBSCRIBE and UNSUBSCRIBE carry 0010, other packets (PUBLISH aside) 0000.
        var expected = type is 6 or 8 or 10 ? 2 : 0;
        if (type != 3 && flags != expected)
        {
            SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
            return false;
        }
        if (type == 3)
        {
            return await HandlePublishAsync(header, body).ConfigureAwait(false);
        }
        var scratch = ArrayPool<byte>.Shared.Rent((int)Math.Max(body.Length, 1));
        try
        {
            MqttPacket packet;
            try
            {
                packet = Decode(header, body, scratch);
            }
            catch (Exception e) when (e is MqttProtocolViolationException or ArgumentException or IndexOutOfRangeException or InvalidOperationException or MqttProtocolViolationException)
            {
                MqttLog.MalformedPacket(_runtime.Logger, RemoteText, ClientId, e.Message);
                SendDisconnect(MqttDisconnectReasonCode.MalformedPacket);
                return false;
            }
            switch (packet)
            {
                case MqttPingReqPacket:
                    Send(MqttPingRespPacket.Instance);
                    return true;
                case MqttSubscribePacket subscribe:
                    await SubscribeAsync(subscribe).ConfigureAwait(false);
                    return true;
                case MqttUnsubscribePacket unsubscribe:
                    await UnsubscribeAsync(unsubscribe).ConfigureAwait(false);
                    return true;
                case MqttPubAckPacket ack:
                    await OnPubAckAsync(ack.PacketIdentifier).ConfigureAwait(false);
                    return true;
                case MqttPubRecPacket rec:
                    await OnPubRecAsync(rec.PacketIdentifier).ConfigureAwait(false);
                    return true;
                case MqttPubRelPacket rel:
                    await OnPubRelAsync(rel.PacketIdentifier).ConfigureAwait(false);
                    return true;
                case MqttPubCompPacket comp:
                    await OnPubCompAsync(comp.PacketIdentifier).ConfigureAwait(false);
                    return true;
                case MqttDisconnectPacket disconnect:
                    OnDisconnectPacket(disconnect);
                    return false;
                case MqttAuthPacket:
                    // No enhanced authentication method is offered, so an AUTH is a protocol error [MQTT-4.12.0-1].
                    SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
                    return false;
                default:
                    // A second CONNECT [MQTT-3.1.0-2] or a packet only servers send.
                    SendDisconnect(MqttDisconnectReasonCode.ProtocolError);
                    return false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Encodes and queues a packet for the client (MQTTnet's formatter, under the output lock).</summary>
    private void Send(MqttPacket packet, bool flush = true)
    {
        var output = _output.Begin();
        if (output is null)
        {
            return;
        }
        try
        {
            MqttFormatters.Encode(IsV5, packet, output);
        }
        finally
        {
            _output.End(flush);
        }
    }

    /// <summary>Tells an MQTT 5 client why the server ends the connection; MQTT 3.1.1 has no such packet.</summary>
    private void SendDisconnect(MqttDisconnectReasonCode reason)
    {
        if (IsV5 && ClientId.Length > 0)
        {
            Send(new MqttDisconnectPacket { ReasonCode = reason });
        }
    }

    private void OnDisconnectPacket(MqttDisconnectPacket disconnect)
    {
        // [MQTT-3.14.4-3]: a normal DISCONNECT discards the will; MQTT 5's 0x04 asks for it.
        _normalDisconnect = disconnect.ReasonCode != MqttDisconnectReasonCode.DisconnectWithWillMessage;
        if (IsV5 && disconnect.SessionExpiryInterval > 0)
        {
            _sessionExpiry = disconnect.SessionExpiryInterval;
        }
    }

    /// <summary>Ends the session: the will (unless a normal DISCONNECT), the kernel client, the registration.</summary>
    private async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        try
        {
            await StopAcksAsync().ConfigureAwait(false);
            var will = KernelClient is not null && !_normalDisconnect && !_takenOver && _will is not null;
            var delay = will ? WillDelay() : TimeSpan.Zero;
            if (will && delay == TimeSpan.Zero)
            {
                await PublishWillAsync().ConfigureAwait(false);
            }
            await OnSessionClosingAsync().ConfigureAwait(false);
            if (will && delay > TimeSpan.Zero)
            {
                await PublishWillLaterAsync(delay).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or TimeoutException or ObjectDisposedException)
        {
            MqttLog.ClosingError(_runtime.Logger, RemoteText, ClientId, e.Message);
        }
        if (RegistryKey.Length > 0)
        {
            _runtime.Clients.TryRemove(new KeyValuePair<string, MqttConnection>(RegistryKey, this));
        }
        KernelClient?.Close(ClosedReason.ClientClosed);
    }

    /// <summary>
    /// Closes this connection because another one took its client ID over (no will, as
    /// nats-server's "Replacing old client"); completes once it has closed, or after 5 s.
    /// </summary>
    public async Task TakeOverAsync()
    {
        _takenOver = true;
        // A delayed will is not sent once the client is back [MQTT-3.1.3-9].
        _willWait.Cancel();
        SendDisconnect(MqttDisconnectReasonCode.SessionTakenOver);
        _output.Close();
        await Task.WhenAny(_output.Completion, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        await Task.WhenAny(_completion.Task, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private bool _takenOver;

    /// <summary>When this connection took its client ID (UTC ticks; written once by the read loop at CONNECT).</summary>
    public long ConnectedAt { get; private set; }
}
