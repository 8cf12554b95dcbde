using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Nats.Core.Connections;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// A subscriber that stops reading is cut off (max_pending, write_deadline) without slowing the
/// publisher or the healthy subscribers of the same subject.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class SlowConsumerTests
{
    private const int MessageSize = 1024;

    [Test]
    public async Task StuckSubscriberIsCutWhileAHealthyOneGetsEverythingAndThePublisherIsNeverBlocked()
    {
        // 24 MB: three times max_pending. max_pending must leave the healthy reader room for
        // the moments its writer task is not scheduled.
        const int Messages = 24_000;
        // The write deadline is long (60 s) so that a publisher held back by the stuck subscriber
        // would be held far past the bound below; max_pending is what cuts the stuck one.
        await using var server = await TestServer.StartAsync(o =>
        {
            o.MaxPending = 8 * 1024 * 1024;
            o.WriteDeadline = TimeSpan.FromSeconds(60);
        });

        var (stuck, stuckSide) = await ConnectStuckSubscriberAsync(server);
        // From here on the stuck client never reads again.

        await using var healthy = await server.ConnectAsync();
        await SubscribeAsync(healthy);
        var received = ReceiveAllAsync(healthy, Messages);

        await using var pub = await server.ConnectAsync();
        pub.AnswerPings = true; // the server's RTT PING comes first when publishing takes over 2 s
        var batch = BuildBatch(Messages);
        var stopwatch = Stopwatch.StartNew();
        await pub.SendAsync(batch);
        await pub.PingAsync();
        var publishTime = stopwatch.Elapsed;
        TestContext.Out.WriteLine($"published in {publishTime.TotalMilliseconds:F0} ms");

        Assert.That(await received, Is.EqualTo(Messages), "the healthy subscriber received every message");
        await TestServer.WaitUntilAsync(() => stuckSide.IsClosed, "the stuck subscriber to be closed");
        // Counted when its teardown (on the thread pool) releases it, shortly after it is marked closed.
        await TestServer.WaitUntilAsync(() => server.Server.Statistics.SlowConsumers >= 1, "the slow consumer to be counted");
        Assert.Multiple(() =>
        {
            Assert.That(stuckSide.CloseReason, Is.EqualTo(ClosedReason.SlowConsumerPendingBytes));
            // Publishing 24 MB over loopback takes milliseconds; a publisher held back by the stuck
            // subscriber would take the 60 s write deadline. Generous bound for a busy 2-core machine.
            Assert.That(publishTime, Is.LessThan(TimeSpan.FromSeconds(20)), "the publisher was not blocked");
        });
        await stuck.DisposeAsync();
        await server.AssertHealthyAsync();
    }

    [Test]
    // The teardown of a slow consumer (its log line, socket and subscriptions) runs off the
    // publisher's read loop, as nats-server leaves it to the client's own write loop: here the
    // "Slow Consumer Detected" line blocks until the healthy subscriber has everything, which a
    // teardown on the publisher's thread would never let happen.
    public async Task TheSlowConsumersTeardownDoesNotHoldThePublisher()
    {
        const int Messages = 24_000; // 24 MB: past max_pending and the kernel's buffers for the stuck one
        using var gate = new ManualResetEventSlim();
        using var logs = LoggerFactory.Create(b => b.AddProvider(new BlockingLogger("Slow Consumer Detected", gate)));
        await using var server = await TestServer.StartAsync(o => o.MaxPending = 8 * 1024 * 1024, logs);

        var (stuck, stuckSide) = await ConnectStuckSubscriberAsync(server);
        await using var healthy = await server.ConnectAsync();
        await SubscribeAsync(healthy);
        var received = ReceiveAllAsync(healthy, Messages);

        await using var pub = await server.ConnectAsync();
        pub.AnswerPings = true; // the server's RTT PING comes first when publishing takes over 2 s
        // Not awaited first: a read loop held by the log line would never take all of it.
        var sending = pub.SendAsync(BuildBatch(Messages));
        try
        {
            Assert.That(await received.WaitAsync(TimeSpan.FromSeconds(20)), Is.EqualTo(Messages), "the healthy subscriber received every message");
            Assert.That(stuckSide.IsClosed, Is.True, "the stuck subscriber was marked closed");
            Assert.That(gate.IsSet, Is.False, "its log line is still held");
        }
        finally
        {
            gate.Set();
        }
        await sending.WaitAsync(TimeSpan.FromSeconds(20));
        await TestServer.WaitUntilAsync(() => server.Server.Statistics.SlowConsumers >= 1, "the slow consumer to be torn down and counted");
        Assert.That(stuckSide.CloseReason, Is.EqualTo(ClosedReason.SlowConsumerPendingBytes));
        await stuck.DisposeAsync();
        await server.AssertHealthyAsync();
    }

    [Test]
    // stuckbench's failure on a loaded machine: the healthy reader's process is descheduled
    // (here: it pauses) while nothing else the publisher feeds makes progress. Giving up on it
    // after a fixed time (250 ms, before) filled its 1 MB max_pending and cut it.
    public async Task AHealthyReaderThatPausesBesideAStuckOneIsWaitedForNotCut()
    {
        const int Messages = 16_000; // 16 MB: the pause must outlast the kernel's buffers and max_pending
        const int PauseAfter = 8_000; // by then the stuck subscriber is long cut (max_pending + kernel buffers < 8 MB)
        await using var server = await TestServer.StartAsync(o => o.MaxPending = 1024 * 1024);

        var (stuck, stuckSide) = await ConnectStuckSubscriberAsync(server);

        // A small receive buffer, so that the kernel holds little of what arrives during the pause.
        await using var healthy = await RawClient.ConnectAsync(server.Port, receiveBuffer: 4096);
        await healthy.SendAsync("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\n");
        await healthy.PingAsync();
        var received = ReceiveAllAsync(healthy, Messages, PauseAfter, async () =>
        {
            await TestServer.WaitUntilAsync(() => stuckSide.IsClosed, "the stuck subscriber to be closed");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
        });

        await using var pub = await server.ConnectAsync();
        pub.Timeout = TimeSpan.FromSeconds(20);
        pub.AnswerPings = true; // the server's RTT PING comes first when publishing takes over 2 s
        await pub.SendAsync(BuildBatch(Messages));
        await pub.PingAsync();

        Assert.That(await received, Is.EqualTo(Messages), "the healthy subscriber received every message");
        Assert.That(stuckSide.CloseReason, Is.EqualTo(ClosedReason.SlowConsumerPendingBytes));
        await stuck.DisposeAsync();
        await server.AssertHealthyAsync();
    }

    [Test]
    public async Task StuckWriteIsCutAfterTheWriteDeadline()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.WriteDeadline = TimeSpan.FromMilliseconds(200);
            o.MaxPending = 512L * 1024 * 1024; // never the reason here
        });
        var (stuck, stuckSide) = await ConnectStuckSubscriberAsync(server);
        await using var _ = stuck;

        await using var pub = await server.ConnectAsync();
        pub.AnswerPings = true; // the server's RTT PING comes first when publishing takes over 2 s
        var batch = BuildBatch(4000);
        var stopwatch = Stopwatch.StartNew();
        await pub.SendAsync(batch);
        await pub.PingAsync();
        // Tells a publisher not held from one held for ever (no write deadline enforced).
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "the publisher was not blocked");

        await TestServer.WaitUntilAsync(() => stuckSide.IsClosed, "the stuck subscriber to be closed", TimeSpan.FromSeconds(10));
        Assert.That(stuckSide.CloseReason, Is.EqualTo(ClosedReason.SlowConsumerWriteDeadline));
        await server.AssertHealthyAsync();
    }

    [Test]
    // A reader that keeps up on average survives bursts: once its pending passes 75% of
    // max_pending, the publisher's reads wait for it to drain (nats-server stalls producers).
    public async Task AReaderThatKeepsUpSurvivesBurstsWithASmallMaxPending()
    {
        const int Messages = 3000;
        await using var server = await TestServer.StartAsync(o => o.MaxPending = 256 * 1024);
        await using var sub = await server.ConnectAsync();
        await SubscribeAsync(sub);
        var received = ReceiveAllAsync(sub, Messages);
        await using var pub = await server.ConnectAsync();
        pub.AnswerPings = true; // the server's RTT PING comes first when publishing takes over 2 s
        // 100 KB slices, each flushed with a PING: a well-behaved publisher and a full-speed reader.
        for (var i = 0; i < Messages; i += 100)
        {
            await pub.SendAsync(BuildBatch(100));
            await pub.PingAsync();
        }
        Assert.That(await received, Is.EqualTo(Messages));
    }

    private static byte[] BuildBatch(int messages)
    {
        var payload = new string('p', MessageSize);
        var builder = new StringBuilder(messages * (MessageSize + 32));
        for (var i = 0; i < messages; i++)
        {
            builder.Append("PUB flood ").Append(MessageSize).Append("\r\n").Append(payload).Append("\r\n");
        }
        return Encoding.ASCII.GetBytes(builder.ToString());
    }

    /// <summary>
    /// Consumes the flood at full speed (as a client library's reader does) and checks every
    /// frame byte for byte; returns the number of messages.
    /// </summary>
    private static Task<int> ReceiveAllAsync(RawClient client, int expected, int pauseAfter = -1, Func<Task>? pause = null) => Task.Run(async () =>
    {
        var frame = Encoding.ASCII.GetBytes($"MSG flood 1 {MessageSize}\r\n{new string('p', MessageSize)}\r\n");
        var buffer = new byte[1024 * 1024];
        var filled = 0;
        var count = 0;
        while (count < expected)
        {
            var read = await client.ReadRawAsync(buffer.AsMemory(filled));
            if (read == 0)
            {
                Assert.Fail($"the healthy subscriber was closed after {count} messages");
            }
            filled += read;
            var offset = 0;
            while (filled - offset >= frame.Length)
            {
                if (buffer.AsSpan(offset).StartsWith("PING\r\n"u8))
                {
                    offset += 6; // the server's early RTT PING on a slow run; not answering is fine here
                    continue;
                }
                Assert.That(buffer.AsSpan(offset, frame.Length).SequenceEqual(frame), Is.True, $"message {count} is intact");
                offset += frame.Length;
                count++;
                if (count == pauseAfter && pause is not null)
                {
                    await pause();
                }
            }
            buffer.AsSpan(offset, filled - offset).CopyTo(buffer);
            filled -= offset;
        }
        return count;
    });

    /// <summary>A logger whose lines containing <paramref name="text"/> wait for <paramref name="gate"/> (30 s at most).</summary>
    private sealed class BlockingLogger(string text, ManualResetEventSlim gate) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).Contains(text, StringComparison.Ordinal))
            {
                gate.Wait(TimeSpan.FromSeconds(30));
            }
        }

        public void Dispose()
        {
        }
    }

    /// <summary>A subscriber to the flood that never reads after its PONG, and its connection on the server.</summary>
    private static async Task<(RawClient Client, ClientConnection ServerSide)> ConnectStuckSubscriberAsync(TestServer server)
    {
        var stuck = await RawClient.ConnectAsync(server.Port, receiveBuffer: 4096);
        await stuck.SendAsync("CONNECT {\"verbose\":false}\r\n");
        await SubscribeAsync(stuck);
        return (stuck, ServerSide(server, stuck));
    }

    /// <summary>Subscribes <paramref name="client"/> to the flood and waits for the server to have it.</summary>
    private static async Task SubscribeAsync(RawClient client)
    {
        await client.SendAsync("SUB flood 1\r\n");
        await client.PingAsync();
    }

    private static ClientConnection ServerSide(TestServer server, RawClient client)
    {
        var id = client.Info.GetProperty("client_id").GetUInt64();
        return server.Server.Clients.Single(c => c.Id == id);
    }
}
