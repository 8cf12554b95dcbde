using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Nats.Leafnode.Tests.Links;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// Messages per second across a leaf link (publisher on the leaf, subscriber on the hub), our
/// servers and nats-server 2.9.10 side by side. Explicit: a measurement, not a check; run with
/// <c>dotnet test --filter FullyQualifiedName~ThroughputBenchmark</c>.
/// </summary>
[TestFixture]
[Explicit("measurement")]
[NonParallelizable]
public sealed class ThroughputBenchmark
{
    private const int Messages = 200_000;
    private const int PayloadSize = 128;

    [Test]
    public async Task Ours_and_nats_server_side_by_side()
    {
        var leafPort = FreePorts.Take();
        double ours;
        await using (var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{leafPort}}" }"""))
        await using (var leaf = await OurServer.StartAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{leafPort}}" } ] }"""))
        {
            await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "link up");
            await MeasureAsync(hub.Port, leaf.Port, () => Task.FromResult(leaf.HasLeafInterest("bench")));   // warm-up (JIT), not counted
            ours = await MeasureAsync(hub.Port, leaf.Port, () => Task.FromResult(leaf.HasLeafInterest("bench")));
        }
        double theirs;
        await using (var goHub = await ReferenceServer.StartWithPortsAsync("""leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }"""))
        await using (var goLeaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { remotes: [ { url: "nats-leaf://127.0.0.1:{{goHub.LeafPort}}" } ] }"""))
        {
            await Leaf.UntilAsync(async () => await goHub.LeafCountAsync() == 1, "link up");
            await MeasureAsync(goHub.Port, goLeaf.Port, () => goLeaf.LeafHasSubAsync("bench"));
            theirs = await MeasureAsync(goHub.Port, goLeaf.Port, () => goLeaf.LeafHasSubAsync("bench"));
        }
        TestContext.Out.WriteLine($"leaf link, {Messages} x {PayloadSize} B: ours {ours:N0} msg/s, nats-server 2.9.10 {theirs:N0} msg/s");
    }

    /// <summary>The same across a leaf link over ws:// (the hub's websocket port), without and with compression.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task Over_websocket_ours_and_nats_server_side_by_side(bool compression)
    {
        var hubWs = compression ? "no_tls: true, compression: true" : "no_tls: true";
        var remoteWs = compression ? ", ws_compression: true" : "";
        double ours;
        await using (var hub = await WebSocketLeafTests.StartHubAsync(hubWs, leafnodes: ""))
        await using (var leaf = await WebSocketLeafTests.StartLeafAsync($"ws://127.0.0.1:{hub.WebSocketPort}", remoteWs))
        {
            await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "link up");
            // A first run warms ours up (JIT) and is not counted; nats-server gets the same.
            await MeasureAsync(hub.Port, leaf.Port, () => Task.FromResult(leaf.HasLeafInterest("bench")));
            ours = await MeasureAsync(hub.Port, leaf.Port, () => Task.FromResult(leaf.HasLeafInterest("bench")));
        }
        double theirs;
        await using (var goHub = await ReferenceServer.StartWithPortsAsync($$"""
            websocket { listen: "127.0.0.1:{WS_PORT}", {{hubWs}} }
            leafnodes { listen: "127.0.0.1:{LEAF_PORT}" }
            """))
        await using (var goLeaf = await ReferenceServer.StartWithPortsAsync($$"""leafnodes { remotes: [ { url: "ws://127.0.0.1:{{goHub.WebSocketPort}}" {{remoteWs}} } ] }"""))
        {
            await Leaf.UntilAsync(async () => await goHub.LeafCountAsync() == 1, "link up");
            await MeasureAsync(goHub.Port, goLeaf.Port, () => goLeaf.LeafHasSubAsync("bench"));
            theirs = await MeasureAsync(goHub.Port, goLeaf.Port, () => goLeaf.LeafHasSubAsync("bench"));
        }
        TestContext.Out.WriteLine($"ws leaf link (compression {compression}), {Messages} x {PayloadSize} B: ours {ours:N0} msg/s, nats-server 2.9.10 {theirs:N0} msg/s");
    }

    private static async Task<double> MeasureAsync(int hubPort, int leafPort, Func<Task<bool>> leafHasInterest)
    {
        await using var sub = await RawClient.ConnectAndHandshakeAsync(hubPort);
        await Leaf.SubAsync(sub, "bench", "1");
        await Eventually.TrueAsync(leafHasInterest, "interest reaches the leaf", TimeSpan.FromSeconds(10));
        var frame = Encoding.ASCII.GetBytes($"PUB bench {PayloadSize}\r\n" + new string('x', PayloadSize) + "\r\n");
        var batch = new byte[frame.Length * 1000];
        for (var i = 0; i < 1000; i++)
        {
            frame.CopyTo(batch, i * frame.Length);
        }
        var expected = (long)Messages * $"MSG bench 1 {PayloadSize}\r\n".Length + (long)Messages * (PayloadSize + 2);
        using var publisher = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await publisher.ConnectAsync(new IPEndPoint(IPAddress.Loopback, leafPort));
        await publisher.SendAsync("CONNECT {\"verbose\":false}\r\n"u8.ToArray());
        var clock = Stopwatch.StartNew();
        var receive = Task.Run(async () =>
        {
            var buffer = new byte[1 << 20];
            long total = 0;
            while (total < expected)
            {
                var n = await sub.ReadRawAsync(buffer);
                if (n <= 0)
                {
                    break;
                }
                total += n;
            }
            return total;
        });
        for (var sent = 0; sent < Messages; sent += 1000)
        {
            await publisher.SendAsync(batch);
        }
        var received = await receive.WaitAsync(TimeSpan.FromSeconds(60));
        clock.Stop();
        Assert.That(received, Is.GreaterThanOrEqualTo(expected));
        return Messages / clock.Elapsed.TotalSeconds;
    }
}
