using System.Net.Sockets;
using System.Text;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The smallest NATS client there is: a loopback socket that reads INFO, sends CONNECT with
/// credentials and a PING, and returns the server's answer (PONG or -ERR).
/// </summary>
internal static class RawClient
{
    public static async Task<string> ConnectAsync(int port, string? user, string? pass)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", port, cancel.Token);
        var info = await ReadLineAsync(socket, cancel.Token);
        Assert.That(info, Does.StartWith("INFO "));
        var credentials = user is null ? "" : $",\"user\":\"{user}\",\"pass\":\"{pass}\"";
        await socket.SendAsync(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":false,\"pedantic\":false{credentials}}}\r\nPING\r\n"), cancel.Token);
        return await ReadLineAsync(socket, cancel.Token);
    }

    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancel)
    {
        var line = new StringBuilder();
        var buffer = new byte[1];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer, cancel);
            if (read == 0)
            {
                return line.ToString();
            }
            if (buffer[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }
            line.Append((char)buffer[0]);
        }
    }
}
