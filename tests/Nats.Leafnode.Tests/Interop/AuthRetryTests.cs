using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// How often a leaf that the hub refuses tries again, ours and nats-server 2.9.10's side by side
/// against the same hub: nats-server's <c>reConnectToRemoteLeafNode</c> waits the <c>reconnect</c>
/// interval after every closed link, an authorization violation included (no growing backoff;
/// only a loop, a same cluster name or, from 2.10, a too old version wait longer).
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class AuthRetryTests
{
    // Four more refusals after the first: four intervals of 1 s with a constant interval;
    // a doubling backoff (1+2+4+8 s) would take 15 s.
    private const int Refusals = 4;

    private static async Task<(OurServer Hub, ListLoggerProvider Logs, int Port)> HubAsync()
    {
        var port = FreePorts.Take();
        var logs = new ListLoggerProvider(LogLevel.Information);
        var hub = await OurServer.StartAsync($$"""
            accounts { A {} }
            leafnodes { listen: "127.0.0.1:{{port}}", authorization { users: [ {user: la, password: pa, account: A} ] } }
            """, logs);
        return (hub, logs, port);
    }

    /// <summary>The time from the first refusal the hub logs to the <see cref="Refusals"/>th after it.</summary>
    private static async Task<TimeSpan> TimeOfRefusalsAsync(ListLoggerProvider hubLogs)
    {
        int Count() => hubLogs.Texts.Count(l => l.Contains("authentication error", StringComparison.Ordinal));
        await Leaf.UntilAsync(() => Count() >= 1, "the first refusal");
        var since = Stopwatch.StartNew();
        var first = Count();
        await Leaf.UntilAsync(() => Count() >= first + Refusals, $"{Refusals} more refusals", seconds: 20);
        return since.Elapsed;
    }

    [Test]
    public async Task Our_refused_leaf_retries_at_the_reconnect_interval()
    {
        var (hub, logs, port) = await HubAsync();
        await using var _ = hub;
        await using var leaf = await OurServer.StartAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://la:wrong@127.0.0.1:{{port}}" } ] }""");

        var elapsed = await TimeOfRefusalsAsync(logs);

        TestContext.Out.WriteLine($"ours: {Refusals} retries after a refusal in {elapsed.TotalSeconds:F2} s");
        Assert.That(elapsed, Is.InRange(TimeSpan.FromSeconds(Refusals * 0.8), TimeSpan.FromSeconds(Refusals * 2)));
        Assert.That(hub.LeafCount + leaf.LeafCount, Is.EqualTo(0));
    }

    [Test]
    public async Task A_refused_nats_server_leaf_retries_at_the_same_interval()
    {
        var (hub, logs, port) = await HubAsync();
        await using var _ = hub;
        await using var leaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://la:wrong@127.0.0.1:{{port}}" } ] }""");

        var elapsed = await TimeOfRefusalsAsync(logs);

        TestContext.Out.WriteLine($"nats-server 2.9.10: {Refusals} retries after a refusal in {elapsed.TotalSeconds:F2} s");
        Assert.That(elapsed, Is.InRange(TimeSpan.FromSeconds(Refusals * 0.8), TimeSpan.FromSeconds(Refusals * 2)));
        Assert.That(hub.LeafCount, Is.EqualTo(0));
    }
}
