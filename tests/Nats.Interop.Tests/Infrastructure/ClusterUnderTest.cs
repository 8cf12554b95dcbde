using System.Diagnostics;
using System.Text;

using Nats.TestSupport;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>How the members' <c>routes</c> are configured.</summary>
public enum ClusterTopology
{
    /// <summary>Every member lists the other two.</summary>
    FullMesh,

    /// <summary>Members 2 and 3 list only member 1; they must find each other through route gossip.</summary>
    SingleSeed,
}

/// <summary>
/// A three-member cluster on loopback. Each member may use its own command template, so a
/// cluster can mix the server under test with the reference server.
/// </summary>
public sealed class ClusterUnderTest : IAsyncDisposable
{
    public const string ClusterName = "interop";

    private static readonly TimeSpan MeshTimeout = TimeSpan.FromSeconds(20);

    private ClusterUnderTest(IReadOnlyList<ServerUnderTest> members) => Members = members;

    public IReadOnlyList<ServerUnderTest> Members { get; }

    /// <summary>
    /// Creates the members (not started). <paramref name="templates"/> gives each member's command
    /// template, in order; member 1 is the seed. <paramref name="extraConfig"/> is added to every
    /// member's config (accounts, a system user…).
    /// </summary>
    public static ClusterUnderTest Create(IReadOnlyList<string> templates, ClusterTopology topology, string parentDir, string extraConfig = "")
    {
        var count = templates.Count;
        var ports = FreePorts.Take(count * 2);
        var clientPorts = ports[..count];
        var routePorts = ports[count..];
        var members = new List<ServerUnderTest>(count);
        for (var i = 0; i < count; i++)
        {
            var routes = topology switch
            {
                ClusterTopology.FullMesh => Enumerable.Range(0, count).Where(j => j != i),
                ClusterTopology.SingleSeed => i == 0 ? [] : new[] { 0 },
                _ => throw new ArgumentOutOfRangeException(nameof(topology)),
            };
            var conf = new StringBuilder()
                .Append("server_name: n").Append(i + 1).Append('\n')
                .Append("cluster {\n")
                .Append("  name: ").Append(ClusterName).Append('\n')
                .Append("  listen: 127.0.0.1:").Append(routePorts[i]).Append('\n')
                .Append("  routes: [\n");
            foreach (var j in routes)
                conf.Append("    nats-route://127.0.0.1:").Append(routePorts[j]).Append('\n');
            conf.Append("  ]\n}\n").Append(extraConfig);
            members.Add(new ServerUnderTest($"n{i + 1}", templates[i], clientPorts[i], conf.ToString(), parentDir));
        }
        return new ClusterUnderTest(members);
    }

    /// <summary>
    /// Starts members in order (the seed first, so the others' first route attempt already
    /// succeeds instead of waiting for a retry) and waits until the cluster is a full mesh.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        foreach (var member in Members)
            await member.StartAsync(ct);
        await WaitForFullMeshAsync(ct);
        // Route listeners may open after the client port answered; by now they are all up.
        foreach (var member in Members)
            member.AssertLoopbackOnly();
    }

    /// <summary>
    /// A member advertises a peer's client URL in <c>connect_urls</c> only once it has a route to
    /// that peer, so "every member lists every other member" means every pair of members is
    /// routed. Waiting for this keeps the tests from racing route setup (and, for the seed
    /// topology, proves the gossip worked before the seed is killed).
    /// </summary>
    public async Task WaitForFullMeshAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var missing = new List<string>();
        while (sw.Elapsed < MeshTimeout)
        {
            missing.Clear();
            foreach (var member in Members)
            {
                var expected = Members.Where(m => m != member).Select(m => m.Port).ToHashSet();
                try
                {
                    var info = await InfoProbe.ReadAsync(member.Port, TimeSpan.FromSeconds(2), ct);
                    expected.ExceptWith(info.ConnectUrls.Select(InfoProbe.PortOf));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Not answering right now: report it as knowing nobody and keep polling.
                }
                if (expected.Count > 0)
                    missing.Add($"{member.Name} (port {member.Port}) lacks {string.Join(", ", expected)}");
            }
            if (missing.Count == 0)
                return;
            await Task.Delay(100, ct);
        }
        throw new TimeoutException(
            $"cluster did not form a full mesh within {MeshTimeout.TotalSeconds:0}s: {string.Join("; ", missing)}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
            await member.DisposeAsync();
    }
}
