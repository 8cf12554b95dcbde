using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using Nats.Core.Plugins;
using Nats.Mqtt.Kernel;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
    // PONG waiters in PING order and the kernel's errors since the last PONG, under _errorsLock
    // (a plain queue, created with the first PING: a concurrent one preallocates 32 slots).
    private readonly object _errorsLock = new();
    private Queue<TaskCompletionSource<string?>>? _pongs;
    private StringBuilder? _errors;
    private TimeSpan _keepAlive;
    private volatile bool _established;
    private uint _sessionExpiry;
    private bool _cleanSession;
    // The CONNECT's user name (retained messages record who stored them); the packet itself is not kept.
    private string? _username;

    /// <summary>Reads and answers CONNECT; true when the session is open.</summary>
    private async Task<bool> ConnectAsync(PipeReader input)
    {
        var timeout = _runtime.KernelOptions.AuthTimeout ?? _runtime.Server.Options.Auth.Timeout;
        using var deadline = new ConnectDeadline(timeout, _inputWaiting);
        // The deadline holds it while CONNECT is awaited; the connection does not keep it after.
        _inputWaiting = null;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.Expired)
            {
                MqttLog.NoConnect(_runtime.Logger, RemoteText, timeout);
                return false;
            }
            var buffer = result.Buffer;
            if (buffer.Length >= 4 && buffer.Slice(0, 4).ToArray().AsSpan().SequenceEqual("GET "u8))
            {
                MqttLog.WebSocketOnMqttPort(_runtime.Logger, RemoteText);
                return false;
            }
            // Before CONNECT, nats-server bounds a packet by max_payload.
            var status = PacketFraming.TryRead(buffer, _runtime.Server.Options.MaxPayload, out var header, out var body, out var size);
            if (status == FrameStatus.NeedMore && !result.IsCompleted)
            {
                input.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }
            if (status != FrameStatus.Packet)
            {
                return false;
            }
            if (header >> 4 != 1)
            {
                MqttLog.FirstPacketNotConnect(_runtime.Logger, RemoteText, header >> 4);
                return false;
            }
            var open = await HandleConnectAsync(header, body).ConfigureAwait(false);
            input.AdvanceTo(buffer.Slice(size).Start);
            return open;
        }
    }

    private async Task<bool> HandleConnectAsync(byte header, ReadOnlySequence<byte> body)
    {
        var level = ConnectPreview.ReadLevel(body, out var mqisdp);
        if (mqisdp || level < 0 || header != 0x10)
        {
            // MQTT 3.1 gets no CONNACK at all (nats-server), a packet that is not MQTT neither.
            return false;
        }
        if (level is not (4 or 5))
        {
            MqttLog.BadProtocolLevel(_runtime.Logger, RemoteText, level);
            await SendRawAsync([0x20, 0x02, 0x00, (byte)MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion]).ConfigureAwait(false);
            return false;
        }
        IsV5 = level == 5;
        var scratch = new byte[body.Length];
        body.CopyTo(scratch);
        // [MQTT-3.1.2-3]: the reserved connect flag is 0.
        var flagsAt = 2 + 4 + 1;
        if (scratch.Length <= flagsAt || (scratch[flagsAt] & 0x01) != 0)
        {
            return false;
        }
        MqttConnectPacket connect;
        try
        {
            connect = (MqttConnectPacket)MqttFormatters.Decode(IsV5, new ReceivedMqttPacket(header, new ArraySegment<byte>(scratch), scratch.Length + 2));
        }
        catch (Exception e) when (e is MqttProtocolViolationException or ArgumentException or IndexOutOfRangeException or InvalidCastException)
        {
            MqttLog.MalformedConnect(_runtime.Logger, RemoteText, e.Message);
            if (e.Message.Contains("[MQTT-3.1.3-7]", StringComparison.Ordinal))
            {
                // "when client ID is empty, clean session flag must be set to 1": CONNACK 0x02 (nats-server).
                return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedIdentifierRejected, MqttConnectReasonCode.ClientIdentifierNotValid).ConfigureAwait(false);
            }
            return false;
        }
        return await AcceptConnectAsync(connect).ConfigureAwait(false);
    }

    private async Task<bool> AcceptConnectAsync(MqttConnectPacket connect)
    {
        _cleanSession = connect.CleanSession;
        _username = connect.Username;
        _clientTopicAliasMaximum = IsV5 ? connect.TopicAliasMaximum : (ushort)0;
        _maxInFlight = Math.Min(_runtime.Options.EffectiveMaxAckPending, IsV5 && connect.ReceiveMaximum > 0 ? connect.ReceiveMaximum : ushort.MaxValue);
        _keepAlive = TimeSpan.FromSeconds(connect.KeepAlivePeriod);
        _sessionExpiry = IsV5 ? connect.SessionExpiryInterval : (connect.CleanSession ? 0u : uint.MaxValue);
        var clientId = connect.ClientId ?? "";
        string? assigned = null;
        if (clientId.Length == 0)
        {
            if (!IsV5 && !connect.CleanSession)
            {
                // [MQTT-3.1.3-8]
                return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedIdentifierRejected, MqttConnectReasonCode.ClientIdentifierNotValid).ConfigureAwait(false);
            }
            clientId = assigned = Core.Security.Nonce.Generate();
        }
        if (IsV5 && AsksEnhancedAuthentication(connect))
        {
            MqttLog.AuthenticationMethodUnsupported(_runtime.Logger, RemoteText, connect.AuthenticationMethod);
            return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedNotAuthorized, MqttConnectReasonCode.BadAuthenticationMethod).ConfigureAwait(false);
        }
        if (connect.Username is { Length: 0 })
        {
            return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedBadUsernameOrPassword, MqttConnectReasonCode.BadUserNameOrPassword).ConfigureAwait(false);
        }
        if (connect.WillFlag && !PrepareWill(connect, out var willReason))
        {
            return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedNotAuthorized, willReason).ConfigureAwait(false);
        }
        ClientId = clientId;
        ApplyClientLimits(connect, clientId);
        var login = await KernelLoginAsync(connect).ConfigureAwait(false);
        if (login is not null)
        {
            MqttLog.LoginRefused(_runtime.Logger, RemoteText, clientId, login);
            var withCredentials = connect.Username is not null || connect.Password is not null;
            return await RefuseAsync(
                withCredentials ? MqttConnectReturnCode.ConnectionRefusedBadUsernameOrPassword : MqttConnectReturnCode.ConnectionRefusedNotAuthorized,
                withCredentials ? MqttConnectReasonCode.BadUserNameOrPassword : MqttConnectReasonCode.NotAuthorized).ConfigureAwait(false);
        }
        // Session takeover: the older connection with this ID is closed, without its will.
        RegistryKey = AccountName + "\u0000" + clientId;
        while (true)
        {
            if (_runtime.Clients.TryAdd(RegistryKey, this))
            {
                ConnectedAt = DateTime.UtcNow.Ticks;
                break;
            }
            if (_runtime.Clients.TryGetValue(RegistryKey, out var old))
            {
                MqttLog.ReplacingOldClient(_runtime.Logger, old.RemoteText, clientId);
                await old.TakeOverAsync().ConfigureAwait(false);
                _runtime.Clients.TryRemove(new KeyValuePair<string, MqttConnection>(RegistryKey, old));
            }
        }
        bool sessionPresent;
        try
        {
            sessionPresent = await OpenSessionAsync().ConfigureAwait(false);
        }
        catch (SessionCollisionException e)
        {
            MqttLog.SessionCollision(_runtime.Logger, RemoteText, clientId, e.Message);
            return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedIdentifierRejected, MqttConnectReasonCode.ClientIdentifierNotValid).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            MqttLog.SessionNotOpened(_runtime.Logger, RemoteText, clientId, e.Message);
            return await RefuseAsync(MqttConnectReturnCode.ConnectionRefusedServerUnavailable, MqttConnectReasonCode.ServerUnavailable).ConfigureAwait(false);
        }
        // The other servers of a cluster close their connection with this client ID.
        _account?.Notices?.Announce(clientId, ConnectedAt);
        var connAck = new MqttConnAckPacket
        {
            ReturnCode = MqttConnectReturnCode.ConnectionAccepted,
            ReasonCode = MqttConnectReasonCode.Success,
            IsSessionPresent = sessionPresent,
        };
        if (IsV5)
        {
            connAck.AssignedClientIdentifier = assigned;
            connAck.MaximumPacketSize = (uint)MaxPacketSize;
            connAck.RetainAvailable = true;
            connAck.MaximumQoS = _runtime.Options.RejectQos2Publish ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.ExactlyOnce;
            connAck.WildcardSubscriptionAvailable = true;
            connAck.SharedSubscriptionAvailable = true;
            connAck.SubscriptionIdentifiersAvailable = true;
            connAck.TopicAliasMaximum = TopicAliasMaximum;
            connAck.ReceiveMaximum = ServerReceiveMaximum;
        }
        Send(connAck);
        _established = true;
        await OnSessionOpenedAsync().ConfigureAwait(false);
        return true;
    }

    private async Task<bool> RefuseAsync(MqttConnectReturnCode code, MqttConnectReasonCode reason)
    {
        Send(new MqttConnAckPacket { ReturnCode = code, ReasonCode = reason });
        _normalDisconnect = true;
        await Task.WhenAny(FlushOutputAsync(), Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
        return false;
    }

    private async Task SendRawAsync(byte[] bytes)
    {
        var output = _output.Begin();
        if (output is not null)
        {
            output.Write(bytes);
            _output.End();
        }
        await Task.WhenAny(FlushOutputAsync(), Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
    }

    /// <summary>Lets the writer send what is queued (the connection closes right after).</summary>
    private Task FlushOutputAsync()
    {
        _output.Close();
        return _output.Completion;
    }

    private static readonly TimeSpan KernelLoginSlack = TimeSpan.FromSeconds(10);

    /// <summary>The account the kernel client logged into (known after login; <c>$G</c> until then).</summary>
    private string AccountName { get; set; } = "$G";

    /// <summary>
    /// Starts the kernel client and logs it in with the MQTT credentials (password also standing
    /// for a token, as nats-server does). Returns null on success, else the kernel's error.
    /// </summary>
    private async Task<string?> KernelLoginAsync(MqttConnectPacket connect)
    {
        _kernelClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _link = KernelLink.Create(this, OnKernelClosed);
        // A copy of its own: it identifies this connection's kernel client among the server's.
        _kernelListener = (_kernelOptions ?? _runtime.KernelOptions) with { };
        _kernelServe = _runtime.Server.ServeClientAsync(_link.Channel, _remote, ConnectionKind.Mqtt, _kernelListener);
        var pong = ExpectPong();
        await _link.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _link.WriteText("CONNECT " + ConnectJson(connect) + "\r\nPING\r\n");
            await _link.FlushAsync().ConfigureAwait(false);
        }
        finally
        {
            _link.Gate.Release();
        }
        // The kernel answers, or closes its client at its own auth timeout (which ends this wait
        // with its error); this bound only guards against a kernel doing neither, so it leaves
        // room for a kernel that is slow at start-up under load rather than refusing the client.
        var timeout = (_runtime.KernelOptions.AuthTimeout ?? _runtime.Server.Options.Auth.Timeout) + KernelLoginSlack;
        try
        {
            var error = await pong.WaitAsync(timeout).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }
        }
        catch (TimeoutException)
        {
            return "kernel login timed out";
        }
        KernelClient = FindKernelClient();
        if (KernelClient is null)
        {
            return "connection closed";
        }
        AccountName = KernelClient.Account.Name;
        // Deliveries are encoded as MQTT PUBLISH packets on the publisher's thread, not sent as MSG lines to parse.
        KernelClient.SetDeliveryTarget(this);
        return null;
    }

    private Core.Connections.ClientListenerOptions? _kernelOptions;

    /// <summary>Sets the kernel listener options for this connection (its TLS, for /connz).</summary>
    public void UseKernelOptions(Core.Connections.ClientListenerOptions options) => _kernelOptions = options;

    private Core.Connections.ClientListenerOptions? _kernelListener;

    /// <summary>This connection's kernel client (its account, user and permissions), once logged in.</summary>
    public Core.Connections.ClientConnection? KernelClient { get; private set; }

    /// <summary>This connection's kernel client, found among the server's clients by its listener options.</summary>
    private Core.Connections.ClientConnection? FindKernelClient()
    {
        foreach (var client in _runtime.Server.Clients)
        {
            if (ReferenceEquals(client.Listener, _kernelListener))
            {
                return client;
            }
        }
        return null;
    }

    private string ConnectJson(MqttConnectPacket connect)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("verbose", false);
            json.WriteBoolean("pedantic", false);
            json.WriteBoolean("headers", true);
            json.WriteBoolean("no_responders", false);
            json.WriteNumber("protocol", 1);
            json.WriteString("lang", "mqtt");
            json.WriteString("version", IsV5 ? "5" : "3.1.1");
            json.WriteString("name", ClientId);
            if (connect.Username is { } user)
            {
                json.WriteString("user", user);
            }
            if (connect.Password is { Length: > 0 } password)
            {
                var text = Encoding.UTF8.GetString(password);
                json.WriteString("pass", text);
                json.WriteString("auth_token", text);
                // nats-server's mqttParseConnect: the password is the user JWT too (operator mode). MQTT
                // has no nonce to sign, so only a bearer-token user JWT gets in, as there.
                json.WriteString("jwt", text);
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The kernel let go of the channel (its client closed): the session learns it off the kernel's thread.</summary>
    private void OnKernelClosed()
    {
        var closed = _kernelClosed;
        _ = Task.Run(async () =>
        {
            await KernelClosedAsync().ConfigureAwait(false);
            closed?.TrySetResult();
        });
    }

    /// <summary>The kernel client is gone: every PONG waiter gets the last error, and an open MQTT connection ends.</summary>
    private async Task KernelClosedAsync()
    {
        string error;
        lock (_errorsLock)
        {
            error = _errors?.ToString() is { Length: > 0 } text ? text : "connection closed";
            _errors = null;
        }
        TaskCompletionSource<string?>? waiter;
        while ((waiter = NextPongWaiter()) is not null)
        {
            waiter.TrySetResult(error);
        }
        if (_closed == 0 && !_takenOver && _established)
        {
            // The kernel closed the client (slow consumer, revoked, server shutting down): so does MQTT.
            SendDisconnect(MqttDisconnectReasonCode.AdministrativeAction);
            _output.Close();
            await Task.WhenAny(_output.Completion, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            try
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>A waiter for the PONG answering the next PING written (in order): its result is the kernel's errors in between, or null.</summary>
    private Task<string?> ExpectPong()
    {
        var waiter = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_errorsLock)
        {
            (_pongs ??= new Queue<TaskCompletionSource<string?>>()).Enqueue(waiter);
        }
        return waiter.Task;
    }

    private TaskCompletionSource<string?>? NextPongWaiter()
    {
        lock (_errorsLock)
        {
            return _pongs is not null && _pongs.TryDequeue(out var waiter) ? waiter : null;
        }
    }

    /// <inheritdoc />
    void IKernelEvents.OnPong()
    {
        string? errors;
        lock (_errorsLock)
        {
            errors = _errors?.ToString();
            _errors = null;
        }
        NextPongWaiter()?.TrySetResult(errors);
    }

    /// <inheritdoc />
    void IKernelEvents.OnError(string text)
    {
        lock (_errorsLock)
        {
            // Kept until the next PONG; bounded, as refused publishes need no PING to be known.
            _errors ??= new StringBuilder();
            if (_errors.Length < 64 * 1024)
            {
                _errors.Append(text).Append('\n');
            }
        }
    }
}
