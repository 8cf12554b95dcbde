using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// Hostile input through a real server: a client flooding the API while another publishes, and a
/// stream filling a real (small tmpfs) disk.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class HostileInputTests
{
    [Test]
    public async Task A_client_flooding_the_api_is_dropped_past_the_queue_limit_while_publish_acks_keep_coming(CancellationToken ct)
    {
        var dir = Path.Combine(Path.GetTempPath(), "js-flood-" + Guid.NewGuid().ToString("N"));
        const string accounts = """
            system_account: SYS
            accounts {
              SYS { users: [{user: sys, password: sys}] }
              A { jetstream: enabled, users: [{user: a, password: a}] }
            }
            """;
        await using var server = await JetStreamServer.StartAsync(accounts, $"jetstream {{ store_dir: \"{dir}\", request_queue_limit: 100 }}");
        await using var healthy = server.Client("a", "a");
        var js = healthy.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("S", ["s.>"]), ct);
        // nats-server publishes API.LIMIT_REACHED in the system account, not the flooded one.
        await using var watcher = server.Client("sys", "sys");
        await using var accountWatcher = server.Client("a", "a");
        var inFloodedAccount = 0;
        var watchAccount = Task.Run(async () =>
        {
            await foreach (var m in accountWatcher.SubscribeAsync<byte[]>("$JS.EVENT.ADVISORY.API.LIMIT_REACHED", cancellationToken: ct))
            {
                Interlocked.Increment(ref inFloodedAccount);
            }
        }, ct);
        await accountWatcher.PingAsync(ct);
        var advisories = new List<JsonElement>();
        var advisorySeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var watch = Task.Run(async () =>
        {
            await foreach (var m in watcher.SubscribeAsync<byte[]>("$JS.EVENT.ADVISORY.API.LIMIT_REACHED", cancellationToken: ct))
            {
                lock (advisories)
                {
                    advisories.Add(JsonDocument.Parse(m.Data!).RootElement.Clone());
                }
                advisorySeen.TrySetResult();
            }
        }, ct);
        await watcher.PingAsync(ct);

        // The flooder: API requests as fast as its connection takes them, never waiting for answers.
        await using var flooder = server.Client("a", "a");
        await flooder.ConnectAsync();
        using var stopFlood = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var flood = Task.Run(async () =>
        {
            var sent = 0;
            while (!stopFlood.IsCancellationRequested && sent < 400_000)
            {
                await flooder.PublishAsync("$JS.API.STREAM.INFO.S", Array.Empty<byte>(), replyTo: "_INBOX.flood", cancellationToken: stopFlood.Token);
                sent++;
            }
            return sent;
        }, ct);

        // Meanwhile the healthy client's publishes are acknowledged: 200, then 20 more once the API
        // queue has passed its limit (the advisory seen), the flooder sending on. Each ack
        // comes within the client's request timeout (10 s) or PublishAsync throws. (No tighter
        // wall-clock bound: with no limit at all the slowest ack here took 0.7 s, so a bound of
        // seconds told nothing about waiting behind the flood, only about the machine's load.)
        const int beforeLimit = 200, afterLimit = 20;
        for (var i = 0; i < beforeLimit + afterLimit; i++)
        {
            if (i == beforeLimit)
            {
                await advisorySeen.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            }
            var ack = await js.PublishAsync($"s.{i}", i, cancellationToken: ct);
            ack.EnsureSuccess();
        }
        await stopFlood.CancelAsync();
        try
        {
            await flood;
        }
        catch (OperationCanceledException)
        {
        }

        JsonElement first;
        lock (advisories)
        {
            first = advisories[0];
        }
        Assert.That(first.GetProperty("type").GetString(), Is.EqualTo("io.nats.jetstream.advisory.v1.api_limit_reached"));
        Assert.That(first.GetProperty("dropped").GetInt64(), Is.GreaterThanOrEqualTo(100));
        await accountWatcher.PingAsync(ct);
        Assert.That(Volatile.Read(ref inFloodedAccount), Is.Zero, "the advisory goes to the system account only");
        // The API still answers once the flood stops. The flooder's connection goes first: what
        // its client had buffered still arrives after the loop stops and can fill the queue
        // again, dropping a request sent meanwhile (as the limit means to). Its client may time
        // out unsubscribing behind the flood it still has buffered (NATS.Net's command timeout,
        // seen once in a quiet CI run); what it still sends then is what the retries below wait out.
        try
        {
            await flooder.DisposeAsync();
        }
        catch (NatsTimeoutException)
        {
        }
        var info = await AnswerOnceDrainedAsync(() => js.GetStreamAsync("S", cancellationToken: ct).AsTask(), ct);
        Assert.That(info.Info.State.Messages, Is.EqualTo((long)(beforeLimit + afterLimit)));
    }

    [Test]
    public async Task A_full_disk_is_answered_with_the_store_error_and_nothing_acknowledged_is_lost(CancellationToken ct)
    {
        using var disk = SmallDisk.TryMount(16);
        if (disk is null)
        {
            Assert.Ignore("mounting a tmpfs needs root (mount -t tmpfs); not available here");
            return;
        }
        var acked = new List<ulong>();
        string? error = null;
        int? errCode = null;
        var payload = new byte[32 * 1024];
        Random.Shared.NextBytes(payload);
        await using (var server = await JetStreamServer.StartAsync(jetstreamBlock: $"jetstream {{ store_dir: \"{disk.Path}\", max_file_store: 1G }}", storeDir: disk.Path))
        {
            await using var client = server.Client();
            var js = client.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("BIG", ["big"]), ct);
            for (var i = 0; i < 2000 && error is null; i++)
            {
                try
                {
                    var ack = await js.PublishAsync("big", payload, cancellationToken: ct);
                    ack.EnsureSuccess();
                    acked.Add(ack.Seq);
                }
                catch (NatsJSApiException e)
                {
                    error = e.Error.Description;
                    errCode = e.Error.ErrCode;
                }
            }
            Assert.That(errCode, Is.EqualTo(10077), "a 16 MiB disk fills before 2000 × 32 KiB");
            Assert.That(error, Does.Contain("space").IgnoreCase);
            // Still full: refused again, the server keeps answering. The failed commit cut its
            // block back to the durable end, giving back the space allocated ahead of the data
            // (up to one 1 MB step): a few more publishes may fit there first, acknowledged.
            NatsJSApiException? again = null;
            for (var i = 0; i < 64 && again is null; i++)
            {
                try
                {
                    var ack = await js.PublishAsync("big", payload, cancellationToken: ct);
                    ack.EnsureSuccess();
                    acked.Add(ack.Seq);
                }
                catch (NatsJSApiException e)
                {
                    again = e;
                }
            }
            Assert.That(again?.Error.ErrCode, Is.EqualTo(10077), "refused again within the space given back");
            Assert.That((await js.GetStreamAsync("BIG", cancellationToken: ct)).Info.State.Messages, Is.EqualTo((long)acked.Count));
        }

        // After a restart on the same full disk every acknowledged message is there, intact.
        await using (var server = await JetStreamServer.StartAsync(jetstreamBlock: $"jetstream {{ store_dir: \"{disk.Path}\", max_file_store: 1G }}", storeDir: disk.Path))
        {
            await using var client = server.Client();
            var js = client.CreateJetStreamContext();
            var stream = await js.GetStreamAsync("BIG", cancellationToken: ct);
            Assert.That(stream.Info.State.Messages, Is.EqualTo((long)acked.Count));
            foreach (var seq in new[] { acked[0], acked[acked.Count / 2], acked[^1] })
            {
                var m = await stream.GetAsync(new StreamMsgGetRequest { Seq = seq }, ct);
                Assert.That(m.Message.Data.ToArray(), Is.EqualTo(payload), $"message {seq}");
            }
            // Room made by deleting the stream: a new one takes publishes again.
            await js.DeleteStreamAsync("BIG", ct);
            await js.CreateStreamAsync(new StreamConfig("SMALL", ["small"]), ct);
            (await js.PublishAsync("small", Encoding.UTF8.GetBytes("after"), cancellationToken: ct)).EnsureSuccess();
        }
    }

    /// <summary>A tmpfs of a few MiB mounted for one test (root only); unmounted when disposed.</summary>
    private sealed class SmallDisk : IDisposable
    {
        private SmallDisk(string path) => Path = path;

        public string Path { get; }

        public static SmallDisk? TryMount(int megabytes)
        {
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
            {
                return null;
            }
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "js-fulldisk-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(path);
            return Run("mount", $"-t tmpfs -o size={megabytes}m tmpfs {path}") ? new SmallDisk(path) : null;
        }

        private static bool Run(string file, string args)
        {
            using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            return p.WaitForExit(10_000) && p.ExitCode == 0;
        }

        public void Dispose()
        {
            // A lazy unmount when something still holds a file open (it goes once closed).
            if (!Run("umount", Path))
            {
                Run("umount", "-l " + Path);
            }
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Asks until the API answers (a request dropped with a full queue gets none), bounded.</summary>
    private static async Task<T> AnswerOnceDrainedAsync<T>(Func<Task<T>> ask, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ask();
            }
            catch (NATS.Client.JetStream.NatsJSApiNoResponseException) when (attempt < 5)
            {
                ct.ThrowIfCancellationRequested();
            }
        }
    }
}
