// wsbench: one publisher and one subscriber, both over WebSocket (.NET's ClientWebSocket,
// optionally with permessage-deflate), through any NATS server's websocket port.
//   dotnet run -c Release --project tools/wsbench -- ws://127.0.0.1:8080 [messages] [size] [compress]
// Prints messages per second as the subscriber saw them arrive.
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;

var url = new Uri(args.Length > 0 ? args[0] : "ws://127.0.0.1:8080");
var count = args.Length > 1 ? int.Parse(args[1]) : 200_000;
var size = args.Length > 2 ? int.Parse(args[2]) : 128;
var compress = args.Length > 3 && bool.Parse(args[3]);

async Task<ClientWebSocket> ConnectAsync()
{
    var ws = new ClientWebSocket();
    if (compress)
    {
        ws.Options.DangerousDeflateOptions = new WebSocketDeflateOptions { ClientContextTakeover = false, ServerContextTakeover = false };
    }
    await ws.ConnectAsync(url, CancellationToken.None);
    var buffer = new byte[4096];
    await ws.ReceiveAsync(buffer, CancellationToken.None);   // INFO
    await ws.SendAsync(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n"), WebSocketMessageType.Binary, true, CancellationToken.None);
    // nats-server may send its own PING first: answer it and keep reading until our PONG.
    while (true)
    {
        var reply = await ws.ReceiveAsync(buffer, CancellationToken.None);
        var text = Encoding.ASCII.GetString(buffer, 0, reply.Count);
        if (text.Contains("PONG"))
        {
            return ws;
        }
        if (!text.Contains("PING"))
        {
            throw new InvalidOperationException("no PONG: " + text);
        }
        await ws.SendAsync("PONG\r\n"u8.ToArray(), WebSocketMessageType.Binary, true, CancellationToken.None);
    }
}

var subscriber = await ConnectAsync();
await subscriber.SendAsync(Encoding.ASCII.GetBytes("SUB bench 1\r\nPING\r\n"), WebSocketMessageType.Binary, true, CancellationToken.None);
var scratch = new byte[1 << 20];
await subscriber.ReceiveAsync(scratch, CancellationToken.None);   // PONG: the subscription is in place
var publisher = await ConnectAsync();

// Payload of letters and digits: compressible like typical text.
var payload = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, size).Select(i => (char)('a' + i % 26))));
var one = Encoding.ASCII.GetBytes($"PUB bench {size}\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
const int batch = 64;
var batchBytes = Enumerable.Repeat(one, batch).SelectMany(b => b).ToArray();
long expected = (long)count * ($"MSG bench 1 {size}\r\n".Length + size + 2);

var stopwatch = Stopwatch.StartNew();
var receiving = Task.Run(async () =>
{
    long received = 0;
    while (received < expected)
    {
        var result = await subscriber.ReceiveAsync(scratch, CancellationToken.None);
        if (result.MessageType == WebSocketMessageType.Close)
        {
            throw new InvalidOperationException("subscriber closed after " + received);
        }
        received += result.Count;
    }
    return stopwatch.Elapsed;
});
for (var sent = 0; sent < count; sent += batch)
{
    var n = Math.Min(batch, count - sent);
    await publisher.SendAsync(batchBytes.AsMemory(0, n * one.Length), WebSocketMessageType.Binary, true, CancellationToken.None);
}
var elapsed = await receiving.WaitAsync(TimeSpan.FromMinutes(2));
Console.WriteLine($"{url} size={size} compress={compress}: {count} msgs in {elapsed.TotalSeconds:F2} s = {count / elapsed.TotalSeconds:N0} msgs/s");
