using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.Core.Plugins;
using Nats.Mqtt.Config;
using Nats.Mqtt.Sessions;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt;

/// <summary>
/// The MQTT port: the server's accept loop (<see cref="ConnectionListener"/>) hands each socket
/// here; TLS (the <c>mqtt</c> set, taken fresh per connection so reloads apply) runs first, then
/// the connection is an <see cref="MqttConnection"/>.
/// </summary>
internal sealed class MqttListener
{
    private static readonly TimeSpan TlsTimeout = TimeSpan.FromSeconds(2);

    private readonly MqttRuntime _runtime;
    private readonly ITlsStore _tls;
    private readonly ILogger _logger;
    private ConnectionListener? _listener;

    public MqttListener(MqttRuntime runtime, ITlsStore tls, ILogger logger)
    {
        _runtime = runtime;
        _tls = tls;
        _logger = logger;
    }

    public int Port => _listener?.Port ?? 0;

    public void Start(MqttOptions options)
    {
        _listener = ConnectionListener.Start("mqtt", new HostPort(options.EffectiveHost, options.Port), _logger, ServeAsync, _runtime.Server.ShutdownToken);
        MqttLog.Listening(_logger, options.Tls is { IsEnabled: true } ? "tls" : "mqtt", HostPort.Join(options.EffectiveHost, Port));
    }

    public void Stop() => _listener?.Stop();

    /// <summary>MQTT over WebSocket: the websocket listener's <c>/mqtt</c> upgrade, its TLS (wss) already done.</summary>
    public Task ServeStreamAsync(AcceptedStream accepted)
    {
        var connection = new MqttConnection(_runtime, accepted.Stream, accepted.Remote);
        if (accepted.Tls is not null)
        {
            connection.UseKernelOptions(_runtime.KernelOptions with { TransportTls = accepted.Tls });
        }
        return connection.RunAsync();
    }

    /// <summary>Whether the client's bytes wait unread in the socket (the CONNECT deadline then measured this process, not the client).</summary>
    private static bool InputWaiting(Socket socket)
    {
        try
        {
            return socket.Available > 0;
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// The CONNECT deadline's look at the socket, built outside <see cref="ServeAsync"/>: a lambda
    /// there would capture the socket in a closure the async method holds for the connection's life.
    /// </summary>
    private static Func<bool> InputWaitingOf(Socket socket) => () => InputWaiting(socket);

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        var remote = socket.RemoteEndPoint as IPEndPoint;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        TlsConnectionInfo? tlsInfo = null;
        if (_tls.GetServerOptions(MqttPlugin.TlsName) is { } tlsOptions)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_runtime.Server.ShutdownToken);
            deadline.CancelAfter(TlsTimeout);
            try
            {
                await ssl.AuthenticateAsServerAsync(tlsOptions, deadline.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
            {
                MqttLog.TlsHandshakeError(_logger, remote, e.Message);
                await ssl.DisposeAsync().ConfigureAwait(false);
                return;
            }
            tlsInfo = new TlsConnectionInfo(ssl.SslProtocol, ssl.NegotiatedCipherSuite.ToString(),
                ssl.RemoteCertificate is { } peer ? peer as X509Certificate2 ?? new X509Certificate2(peer) : null);
            stream = ssl;
        }
        var connection = new MqttConnection(_runtime, stream, remote, InputWaitingOf(socket));
        if (tlsInfo is not null)
        {
            connection.UseKernelOptions(_runtime.KernelOptions with { TransportTls = tlsInfo });
        }
        await connection.RunAsync().ConfigureAwait(false);
    }
}
