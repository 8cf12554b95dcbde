using System.Diagnostics;
using System.Text;
using Nats.JetStream.Storage;
using Nats.JetStream.StoreCrashChild;

// crash <dir> <writers>                      write until killed; print "A <seq> <payload>" once a message is
//                                            durable, "R <seq>" before removing it, "D <seq>" once that is durable
// bench <dir> <writers> <seconds> [interval] print 128-byte appends/s with <writers> appends in flight
// fsync <dir>                                print the mean time of a 164-byte append + fdatasync
// server <dir>                               run a whole server (JetStream on <dir>) on a free port: print "PORT <n>", serve until killed
var mode = args[0];
var dir = args[1];
if (mode == "server")
{
    await ServerMode.RunAsync(dir);
    return;
}
if (mode == "fsync")
{
    Console.WriteLine(FsyncProbe.Measure(dir));
    return;
}

var writers = int.Parse(args[2]);
var interval = args.Length > 4 && args[4] == "interval";
using var store = FileStore.Open(new FileStoreOptions { Directory = dir, Sync = interval ? SyncMode.Interval : SyncMode.Always }, StoreLimits.None);
var signal = new DurableSignal();
store.SetListener(signal);
var output = new StreamWriter(Console.OpenStandardOutput(), Encoding.ASCII, 1 << 16) { AutoFlush = false };
var outputLock = new Lock();
var pending = new SortedDictionary<ulong, string>();
var acked = new List<ulong>();
var crash = mode == "crash";
if (crash)
{
    signal.OnDurable = last =>
    {
        lock (outputLock)
        {
            while (pending.Count > 0)
            {
                var (seq, text) = pending.First();
                if (seq > last)
                {
                    break;
                }
                pending.Remove(seq);
                acked.Add(seq);
                output.Write($"A {seq} {text}\n");
            }
            output.Flush();
        }
    };
}

var stopAt = crash ? DateTime.MaxValue : DateTime.UtcNow.AddSeconds(double.Parse(args[3]));
long appended = 0;
var tasks = new List<Task>();
for (var w = 0; w < writers; w++)
{
    var id = w;
    tasks.Add(Task.Run(async () =>
    {
        var payload = new byte[128];
        for (var n = 0L; DateTime.UtcNow < stopAt; n++)
        {
            ulong seq;
            if (crash)
            {
                var text = $"w{id}-{n}";
                Encoding.ASCII.GetBytes(text).CopyTo(payload, 0);
                lock (outputLock)
                {
                    store.Append("crash.test"u8, default, payload, 0, out seq, out _);
                    pending[seq] = text;
                }
            }
            else
            {
                store.Append("bench.test"u8, default, payload, 0, out seq, out _);
            }
            await signal.WaitAsync(seq);
            Interlocked.Increment(ref appended);
        }
    }));
}
if (crash)
{
    // Removals too, so tombstones and floors are under test: print them only once durable.
    tasks.Add(Task.Run(async () =>
    {
        var rng = new Random(1);
        while (true)
        {
            await Task.Delay(2);
            ulong victim;
            lock (outputLock)
            {
                if (acked.Count < 10)
                {
                    continue;
                }
                var i = rng.Next(acked.Count);
                victim = acked[i];
                acked.RemoveAt(i);
                // Announced first: a removal cut by the kill may or may not have landed.
                output.Write($"R {victim}\n");
                output.Flush();
            }
            if (store.Remove(victim))
            {
                await store.FlushAsync();
                lock (outputLock)
                {
                    output.Write($"D {victim}\n");
                    output.Flush();
                }
            }
        }
    }));
}
var watch = Stopwatch.StartNew();
await Task.WhenAll(tasks);
Console.WriteLine($"writers {writers}: {appended / watch.Elapsed.TotalSeconds:F0} records/s ({appended} in {watch.Elapsed.TotalSeconds:F1} s, {(interval ? "interval" : "always")})");
