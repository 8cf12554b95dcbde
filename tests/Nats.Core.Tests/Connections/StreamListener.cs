using System.Net;
using System.Net.Sockets;
using Nats.Core.Connections;
using Nats.Core.Plugins;

namespace Nats.Core.Tests.Connections;

/// <summary>A listener handing each accepted connection to the server as a stream.</summary>
internal sealed class StreamListener : IDisposable
{
    public static readonly ConnectionKind PipeKind = ConnectionKind.Register("TestPipe", connzType: "testpipe");

    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public StreamListener(NatsServer server, ClientListenerOptions options, Func<Stream, Stream>? wrap = null)
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptAsync();
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
                Stream stream = new NetworkStream(socket, ownsSocket: true);
                _ = server.ServeClientAsync(wrap is null ? stream : wrap(stream), (IPEndPoint)socket.RemoteEndPoint!, PipeKind, options);
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Dispose() => _listener.Dispose();
}
