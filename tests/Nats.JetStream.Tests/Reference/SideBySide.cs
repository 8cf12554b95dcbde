using NATS.Client.JetStream;
using Nats.JetStream.Tests.EndToEnd;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// One client scenario run against nats-server 2.9.10 and then against this server, each with
/// JetStream in a fresh store; the test is ignored where nats-server is not installed.
/// </summary>
internal static class SideBySide
{
    /// <summary>The config both servers get: JetStream in <c>storeDir</c>.</summary>
    public static string JetStreamIn(string storeDir) => $"jetstream {{ store_dir: \"{storeDir}\" }}\n";

    /// <summary>
    /// Runs <paramref name="scenario"/> (given a client URL) on both servers, configured by
    /// <paramref name="config"/> (given the store directory; <see cref="JetStreamIn"/> by default),
    /// and returns what each produced.
    /// </summary>
    public static async Task<(T Reference, T Ours)> RunBothAsync<T>(Func<string, Task<T>> scenario, Func<string, string>? config = null)
    {
        ReferenceServer.RequireInstalled();
        config ??= JetStreamIn;
        T reference;
        using (var dir = new TempDirectory())
        {
            var port = FreePorts.Take();
            await using var server = await ReferenceServer.StartAsync($"port: {port}\n" + config(dir.Path), port);
            reference = await scenario($"nats://127.0.0.1:{port}");
        }
        using var ourDir = new TempDirectory();
        await using var ours = await JetStreamServer.StartAsync(jetstreamBlock: config(ourDir.Path), storeDir: ourDir.Path);
        return (reference, await scenario(ours.Url));
    }

    /// <summary>
    /// <see cref="RunBothAsync{T}"/> for a scenario that logs lines: asserts both servers logged
    /// the same and returns nats-server's lines (for the test to check they say something).
    /// </summary>
    public static async Task<List<string>> RunSameAsync(Func<string, Task<List<string>>> scenario, Func<string, string>? config = null)
    {
        var (reference, ours) = await RunBothAsync(scenario, config);
        Assert.That(ours, Is.EqualTo(reference), "ours:\n" + string.Join("\n", ours) + "\nnats-server:\n" + string.Join("\n", reference));
        return reference;
    }

    /// <summary>One message from a pull consumer (a few pulls of up to 3 s each), for scenarios run on both servers.</summary>
    public static async Task<INatsJSMsg<string>> FetchOneAsync(INatsJSConsumer consumer, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 1, Expires = TimeSpan.FromSeconds(3) }, cancellationToken: ct))
            {
                return msg;
            }
        }
        throw new AssertionException("no message within 10 pulls");
    }
}
