using System.Diagnostics;
using System.Text;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// Operations split across TCP reads anywhere, and many operations in one read: the output
/// must be byte for byte what one contiguous write produces.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class FramingTests : ServerFixture
{
    // Every kind of operation, including a payload and a header block that contain CRLF.
    // Repeatable: it ends with every subscription removed.
    private const string Script =
        "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n" +
        "SUB foo 1\r\n" +
        "sub bar q 2\r\n" +
        "PUB foo 7\r\nhe\r\nllo\r\n" +
        "HPUB bar r 18 20\r\nNATS/1.0\r\nA: 1\r\n\r\nhi\r\n" +
        "PUB\tfoo 0\r\n\r\n" +
        "UNSUB 1\r\n" +
        "PUB foo 2\r\nno\r\n" +
        "UNSUB 2\r\n" +
        "PING\r\n";

    private const string Expected =
        "MSG foo 1 7\r\nhe\r\nllo\r\n" +
        "HMSG bar 2 r 18 20\r\nNATS/1.0\r\nA: 1\r\n\r\nhi\r\n" +
        "MSG foo 1 0\r\n\r\n" +
        "PONG\r\n";

    [Test]
    public async Task ScriptInOneWriteProducesTheExpectedBytes()
    {
        await using var client = await Server.ConnectRawAsync();
        await client.SendAsync(Script);
        await ExpectBytesAsync(client, Expected);
    }

    [Test]
    public async Task SplitAtEveryBytePosition()
    {
        await using var client = await Server.ConnectRawAsync();
        var connection = ServerSide(client);
        var script = Encoding.ASCII.GetBytes(Script);
        for (var split = 1; split < script.Length; split++)
        {
            // Make sure the server has read (and parsed what it could of) the first part before
            // the second is sent, so the split really falls between two reads.
            await SendAndWaitForReadAsync(client, connection, script.AsMemory(0, split));
            await client.SendAsync(script.AsMemory(split));
            await ExpectBytesAsync(client, Expected, $"split at {split}");
        }
    }

    [Test]
    public async Task OneByteAtATime()
    {
        await using var client = await Server.ConnectRawAsync();
        var connection = ServerSide(client);
        var script = Encoding.ASCII.GetBytes(Script);
        for (var i = 0; i < script.Length; i++)
        {
            await SendAndWaitForReadAsync(client, connection, script.AsMemory(i, 1));
        }
        await ExpectBytesAsync(client, Expected);
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public async Task RandomChunkings(int seed)
    {
        var random = new Random(seed);
        await using var client = await Server.ConnectRawAsync();
        const int Repeats = 40;
        var script = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(Script, Repeats)));
        var position = 0;
        while (position < script.Length)
        {
            var size = Math.Min(random.Next(1, 97), script.Length - position);
            await client.SendAsync(script.AsMemory(position, size));
            position += size;
            if (random.Next(8) == 0)
            {
                await Task.Yield();
            }
        }
        await ExpectBytesAsync(client, string.Concat(Enumerable.Repeat(Expected, Repeats)));
    }

    [Test]
    public async Task ThousandsOfFramesInOneWrite()
    {
        const int Count = 5000;
        await using var sub = await Server.ConnectAsync();
        await sub.SendAsync("SUB load.* 1\r\n");
        await sub.PingAsync();
        await using var pub = await Server.ConnectAsync();
        var batch = new StringBuilder();
        for (var i = 0; i < Count; i++)
        {
            batch.Append(Wire.Pub($"load.{i % 10}", $"message {i}"));
        }
        batch.Append("PING\r\n");
        await pub.SendAsync(batch.ToString());
        await pub.ExpectLineAsync("PONG");
        for (var i = 0; i < Count; i++)
        {
            await sub.ExpectMsgAsync($"load.{i % 10}", "1", $"message {i}");
        }
        await sub.PingAsync();
    }

    [Test]
    public async Task ThousandsOfSelfDeliveredFramesKeepTheirOrder()
    {
        const int Count = 3000;
        await using var client = await Server.ConnectAsync();
        var batch = new StringBuilder("SUB self 1\r\n");
        for (var i = 0; i < Count; i++)
        {
            batch.Append(Wire.Pub("self", i.ToString()));
        }
        await client.SendAsync(batch.ToString());
        for (var i = 0; i < Count; i++)
        {
            await client.ExpectMsgAsync("self", "1", i.ToString());
        }
        await client.PingAsync();
    }

    [Test]
    public async Task MaximumPayloadSplitAcrossManyWrites()
    {
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);
        await using var sub = await Server.ConnectAsync();
        await sub.SendAsync("SUB big 1\r\n");
        await sub.PingAsync();
        await using var pub = await Server.ConnectAsync();
        byte[] frame = [.. Encoding.ASCII.GetBytes($"PUB big {payload.Length}\r\n"), .. payload, .. "\r\n"u8];
        for (var offset = 0; offset < frame.Length; offset += 150_001)
        {
            await pub.SendAsync(frame.AsMemory(offset, Math.Min(150_001, frame.Length - offset)));
        }
        await pub.PingAsync();
        var message = await sub.ReadMessageAsync();
        Assert.That(message.Line, Is.EqualTo($"MSG big 1 {payload.Length}"));
        Assert.That(message.Payload.AsSpan().SequenceEqual(payload), Is.True);
    }

    [Test]
    public async Task ControlLineSplitRightBeforeItsLineFeed()
    {
        await using var client = await Server.ConnectAsync();
        var connection = ServerSide(client);
        await SendAndWaitForReadAsync(client, connection, "SUB foo 1\r"u8.ToArray());
        await SendAndWaitForReadAsync(client, connection, "\nPUB foo 2\r"u8.ToArray());
        await SendAndWaitForReadAsync(client, connection, "\nhi\r"u8.ToArray());
        await client.SendAsync("\n");
        await client.ExpectMsgAsync("foo", "1", "hi");
    }

    private ClientConnection ServerSide(RawClient client)
    {
        var id = client.Info.GetProperty("client_id").GetUInt64();
        return Server.Server.Clients.Single(c => c.Id == id);
    }

    /// <summary>Sends bytes and waits until the server's read loop has received them.</summary>
    private static async Task SendAndWaitForReadAsync(RawClient client, ClientConnection connection, ReadOnlyMemory<byte> bytes)
    {
        var before = connection.LastActivityTimestamp;
        await client.SendAsync(bytes);
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 5;
        var spins = 0;
        while (connection.LastActivityTimestamp == before)
        {
            Assert.That(Stopwatch.GetTimestamp(), Is.LessThan(deadline), "the server never read the bytes sent");
            if (++spins < 50)
            {
                Thread.Yield();
            }
            else
            {
                await Task.Delay(1);
            }
        }
    }

    private static async Task ExpectBytesAsync(RawClient client, string expected, string? because = null)
    {
        // The server PINGs a client that has not PINGed within its first seconds (nats-server's
        // early RTT ping); a slow script (one byte at a time on a loaded machine) sees it. It is
        // the server's own operation, not output of the script, so it is skipped (the script's
        // own PING comes last and is answered by PONG, which the expected bytes hold).
        const string ServerPing = "PING\r\n";
        var actual = Encoding.ASCII.GetString(await client.ReadBytesAsync(expected.Length)).Replace(ServerPing, "", StringComparison.Ordinal);
        while (actual.Length < expected.Length)
        {
            actual = (actual + Encoding.ASCII.GetString(await client.ReadBytesAsync(expected.Length - actual.Length))).Replace(ServerPing, "", StringComparison.Ordinal);
        }
        Assert.That(actual, Is.EqualTo(expected), because);
    }
}
