// jspullbench URL COUNT [--size N] [--batch N] [--pid SERVER_PID] [--acked [--window N]]
//
// One file stream "PULLBENCH" (subject "pullbench"), COUNT messages of --size bytes stored (core
// publishes, or with --acked JetStream publishes with --window in flight), then a durable pull consumer (explicit ack) reads them all
// with NATS.Net FetchAsync batches of --batch, acking each message. Prints one RESULT line per
// phase with msgs/s and, with --pid, the server's CPU time per message (user + system from
// /proc/PID/stat), which a loaded machine disturbs less than the rate.
using System.Diagnostics;
using System.Globalization;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: jspullbench URL COUNT [--size N] [--batch N] [--pid SERVER_PID] [--acked [--window N]]");
    return 2;
}
var url = args[0];
var count = int.Parse(args[1], CultureInfo.InvariantCulture);
int size = 128, batch = 500, window = 1000, pid = 0;
var acked = false;
for (var i = 2; i < args.Length; i += 2)
{
    if (args[i] == "--acked")
    {
        acked = true;
        i--;
        continue;
    }
    var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    switch (args[i])
    {
        case "--size": size = value; break;
        case "--batch": batch = value; break;
        case "--window": window = value; break;
        case "--pid": pid = value; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

await using var nats = new NatsClient(new NatsOpts { Url = url, RequestTimeout = TimeSpan.FromSeconds(60), SubPendingChannelCapacity = 4096 });
var js = nats.CreateJetStreamContext();
await js.CreateStreamAsync(new StreamConfig("PULLBENCH", ["pullbench"]) { Storage = StreamConfigStorage.File });
var payload = new byte[size];

// Fill: core publishes without replies (the server stores them, no ack to wait for), then wait
// until the stream holds them all; with --acked, JetStream publishes with acks, --window in flight.
var cpu = ServerCpu.Start(pid);
var watch = Stopwatch.StartNew();
if (acked)
{
    var inFlight = new Queue<ValueTask<PubAckResponse>>(window);
    for (var i = 0; i < count; i++)
    {
        inFlight.Enqueue(js.PublishAsync("pullbench", payload));
        if (inFlight.Count == window)
        {
            (await inFlight.Dequeue()).EnsureSuccess();
        }
    }
    while (inFlight.Count > 0)
    {
        (await inFlight.Dequeue()).EnsureSuccess();
    }
}
else
{
    for (var i = 0; i < count; i++)
    {
        await nats.PublishAsync("pullbench", payload);
    }
    await nats.PingAsync();
    var stream = await js.GetStreamAsync("PULLBENCH");
    var deadline = Stopwatch.StartNew();
    while (stream.Info.State.Messages < count)
    {
        if (deadline.Elapsed > TimeSpan.FromMinutes(5))
        {
            Console.Error.WriteLine($"the stream holds {stream.Info.State.Messages} of {count} messages after 5 minutes");
            return 1;
        }
        await Task.Delay(50);
        await stream.RefreshAsync();
    }
}
Report2(acked ? "publish" : "fill", count, watch.Elapsed, cpu.Stop(), "");

// Pull: fetch batches, ack every message (no ack reply awaited, as consumers usually run).
var consumer = await js.CreateOrUpdateConsumerAsync("PULLBENCH", new ConsumerConfig("bench") { AckPolicy = ConsumerConfigAckPolicy.Explicit, MaxAckPending = -1 });
cpu = ServerCpu.Start(pid);
watch.Restart();
var received = 0;
var fetches = 0;
while (received < count)
{
    fetches++;
    await foreach (var msg in consumer.FetchAsync<byte[]>(new NatsJSFetchOpts { MaxMsgs = Math.Min(batch, count - received), Expires = TimeSpan.FromSeconds(30) }))
    {
        await msg.AckAsync();
        received++;
    }
}
Report2("pull", received, watch.Elapsed, cpu.Stop(), $" batch={batch} fetches={fetches}");
var info = await js.GetConsumerAsync("PULLBENCH", "bench");
if (info.Info.NumPending != 0 || info.Info.Delivered.StreamSeq != (ulong)count)
{
    Console.Error.WriteLine($"consumer state after the run: delivered {info.Info.Delivered.StreamSeq}, pending {info.Info.NumPending}");
    return 1;
}
return 0;

static void Report2(string phase, int n, TimeSpan elapsed, double cpuSeconds, string extra) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"RESULT phase={phase} msgs={n} secs={elapsed.TotalSeconds:F2} msgs_s={n / elapsed.TotalSeconds:F0} cpu_us_msg={(cpuSeconds < 0 ? "n/a" : (cpuSeconds * 1e6 / n).ToString("F2", CultureInfo.InvariantCulture))}{extra}"));

/// <summary>The server's CPU time (user + system) between Start and Stop, from /proc; -1 without a pid.</summary>
internal readonly record struct ServerCpu(int Pid, long StartTicks)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    public static ServerCpu Start(int pid) => new(pid, pid > 0 ? Ticks(pid) : 0);

    public double Stop() => Pid > 0 ? (Ticks(Pid) - StartTicks) / TicksPerSecond : -1;

    private static long Ticks(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ": field 3 is index 0, so utime (14) and stime (15) are 11 and 12.
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
