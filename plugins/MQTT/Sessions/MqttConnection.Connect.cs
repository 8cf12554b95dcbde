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
using Nats.Core.Connections;
using Nats.Mqtt.Protocol;
using Nats.Mqtt.Topics;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Sessions;

internal sealed partial class MqttConnection
{
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

    // Authentication (a bcrypt check, an account resolver) is this process's work, not the
    // client's: the CONNECT deadline has ended, and this bound only guards against an
    // authenticator that never answers, with room for a slow one under load.
    private static readonly TimeSpan KernelLoginSlack = TimeSpan.FromSeconds(10);

    /// <summary>The account the kernel client logged into (known after login; <c>$G</c> until then).</summary>
    private string AccountName { get; set; } = "$G";

    /// <summary>
    /// Opens the kernel client and logs it in with the MQTT credentials (password also standing
    /// for a token, as nats-server does). Returns null on success, else the kernel's error.
    /// </summary>
    private async Task<string?> KernelLoginAsync(MqttConnectPacket connect)
    {
        var client = _runtime.Server.OpenPluginClient(this, _remote, ConnectionKind.Mqtt, _kernelOptions ?? _runtime.KernelOptions);
        KernelClient = client;
        var login = client.ConnectFromPluginAsync(ConnectJson(connect).WrittenSpan);
        string? error;
        if (login.IsCompletedSuccessfully)
        {
            error = login.Result;
        }
        else
        {
            var timeout = (_runtime.KernelOptions.AuthTimeout ?? _runtime.Server.Options.Auth.Timeout) + KernelLoginSlack;
            try
            {
                error = await login.AsTask().WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                client.Close(ClosedReason.AuthenticationTimeout);
                error = "kernel login timed out";
            }
        }
        if (error is not null)
        {
            return error;
        }
        AccountName = client.Account.Name;
        return null;
    }

    private Core.Connections.ClientListenerOptions? _kernelOptions;

    /// <summary>Sets the kernel listener options for this connection (its TLS, for /connz).</summary>
    public void UseKernelOptions(Core.Connections.ClientListenerOptions options) => _kernelOptions = options;

    /// <summary>This connection's kernel client (its account, user and permissions), once its login started.</summary>
    public ClientConnection? KernelClient { get; private set; }

    private ArrayBufferWriter<byte> ConnectJson(MqttConnectPacket connect)
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
        return buffer;
    }

    /// <inheritdoc />
    void IPluginClientHost.OnError(string text)
    {
        // Nothing to do: the refusals this session acts on come back from its calls
        // (SubscribeFromPlugin's error, PublishFromPlugin's false), and the kernel logs them.
    }

    /// <inheritdoc />
    void IPluginClientHost.OnClosed(ClosedReason reason, string? error)
    {
        if (_closed == 0 && !_takenOver && _established)
        {
            // The kernel closed the client (slow consumer, revoked, server shutting down): so
            // does MQTT, off the closing thread.
            _ = Task.Run(KernelClosedAsync);
        }
    }

    /// <summary>The kernel client is gone while the MQTT connection is open: it ends too.</summary>
    private async Task KernelClosedAsync()
    {
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
