using System.Diagnostics;
using System.Text;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Storage;

/// <summary>
/// kill -9 a process writing to a file store under load (16 writers, removals going on), then
/// recover: every message it was told is durable is there with its payload, every removal it
/// was told is durable stayed removed, and nothing is reported damaged.
/// </summary>
[CancelAfter(120_000)]
[Category("Slow")]
public sealed class CrashTests
{
    private string _dir = null!;

    [SetUp]
    public void SetUp() => _dir = Path.Combine(Path.GetTempPath(), "js-crash-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    internal static string ChildPath()
    {
        var here = AppContext.BaseDirectory;
        var config = here.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        var tests = Path.GetFullPath(Path.Combine(here, "..", "..", "..", ".."));
        var path = Path.Combine(tests, "Nats.JetStream.StoreCrashChild", "bin", config, "net10.0", "Nats.JetStream.StoreCrashChild.dll");
        Assert.That(File.Exists(path), Is.True, $"crash child not built at {path}");
        return path;
    }

    [Test]
    public async Task Every_acknowledged_write_survives_kill_9([Values(1, 2, 3)] int round)
    {
        var acked = new Dictionary<ulong, string>();
        var removed = new HashSet<ulong>();
        var removing = new HashSet<ulong>();
        // Two lives of the same store: the second recovers what the first left, then is killed too.
        for (var life = 0; life < 2; life++)
        {
            await RunAndKillAsync(acked, removed, removing, TimeSpan.FromMilliseconds(400 + 300 * round + 200 * life));
        }
        Assert.That(acked.Count, Is.GreaterThan(100), "the child acknowledged writes before it was killed");
        using var store = FileStore.Open(new FileStoreOptions { Directory = _dir }, StoreLimits.None);
        Assert.That(store.Lost, Is.Empty, "a crash must not look like damage");
        var message = new StoredMessage();
        var missing = new List<ulong>();
        foreach (var (seq, text) in acked)
        {
            if (removed.Contains(seq))
            {
                Assert.That(store.TryLoad(seq, message), Is.False, $"durably removed {seq} came back");
                continue;
            }
            if (!store.TryLoad(seq, message))
            {
                // A removal the kill cut short may have landed: either outcome is right.
                if (!removing.Contains(seq))
                {
                    missing.Add(seq);
                }
                continue;
            }
            var payload = Encoding.ASCII.GetString(message.Payload.Span).TrimEnd('\0');
            Assert.That(payload, Is.EqualTo(text), $"seq {seq}");
        }
        var st = store.State();
        Assert.That(missing, Is.Empty, $"acknowledged messages lost; state first {st.FirstSeq} last {st.LastSeq} msgs {st.Msgs}; " +
            $"truncated: {string.Join(" | ", store.LastRecovery.Truncated)}; removed near: {string.Join(",", removed.Where(r => missing.Any(m => Math.Abs((long)r - (long)m) < 5)))}; " +
            $"deleted count {store.DeletedSequences().Count}");
        TestContext.Progress.WriteLine($"crash round {round}: {acked.Count} acknowledged, {removed.Count} removed, all intact; recovery: {store.LastRecovery.Truncated.Count} truncated tails");
    }

    private async Task RunAndKillAsync(Dictionary<ulong, string> acked, HashSet<ulong> removed, HashSet<ulong> removing, TimeSpan runFor)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { ChildPath(), "crash", _dir, "16" })
        {
            start.ArgumentList.Add(arg);
        }
        using var child = Process.Start(start)!;
        var stdout = new MemoryStream();
        var copy = child.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = child.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        // Wait for writes to flow, then let them run a while under load.
        while (stdout.Length < 1000 && DateTime.UtcNow < deadline && !child.HasExited)
        {
            await Task.Delay(20);
        }
        await Task.Delay(runFor);
        if (child.HasExited)
        {
            Assert.Fail($"child died by itself: {await stderr}");
        }
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();
        await copy;
        var text = Encoding.ASCII.GetString(stdout.ToArray());
        var lines = text.Split('\n');
        // The last piece has no newline: it may be cut anywhere, so it proves nothing.
        foreach (var line in lines.Take(lines.Length - 1))
        {
            var parts = line.Split(' ');
            if (parts[0] == "A")
            {
                acked[ulong.Parse(parts[1])] = parts[2];
            }
            else if (parts[0] == "R")
            {
                removing.Add(ulong.Parse(parts[1]));
            }
            else if (parts[0] == "D")
            {
                removed.Add(ulong.Parse(parts[1]));
            }
        }
    }
}
