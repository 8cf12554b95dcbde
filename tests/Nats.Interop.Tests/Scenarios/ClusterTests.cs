using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>Which servers make up the three-member cluster.</summary>
public enum ClusterMembers
{
    /// <summary>All three run the server under test.</summary>
    AllUnderTest,

    /// <summary>
    /// Members 1 and 2 run the server under test, member 3 the reference server: the client
    /// learns the cluster from our server, and after member 1 dies the traffic crosses a route
    /// between our server and the reference one.
    /// </summary>
    MixedWithReference,
}

[Category("Cluster")]
[CancelAfter(BudgetMs)]
public sealed class ClusterTests : InteropTest
{
    private const int Count = 100;

    [Test]
    public async Task ClientLearnsMembersFromConnectUrlsAndFailsOver(
        [Values] ClientKind client,
        [Values] ClusterTopology topology,
        [Values] ClusterMembers members)
    {
        var under = ServerCommand.UnderTest;
        string[] templates = members == ClusterMembers.AllUnderTest
            ? [under, under, under]
            : [under, under, ServerCommand.Reference];
        var cluster = await Scope.StartClusterAsync(templates, topology);
        var (seed, second, third) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);

        // The client is given only the seed; the other two URLs are for client B, which the
        // scenario connects to whichever survivor client A did not fail over to.
        var clientTimeout = TimeSpan.FromSeconds(40);
        var process = await Scope.StartClientAsync(client, "cluster",
            Args(("seed", seed.Url), ("others", $"{second.Url},{third.Url}"), ("count", Count)), clientTimeout);
        await process.WaitForEventAsync("ready", TimeSpan.FromSeconds(20), TestScope.Token);
        await seed.StopAsync(graceful: false); // a crash, not a shutdown

        var result = await process.WaitForResultAsync(TestScope.ResultTimeout(clientTimeout), TestScope.Token);
        result.AssertOk();
        var survivors = new[] { second.Port, third.Port };
        var reconnectedTo = InfoProbe.PortOf(result.String("reconnected_to") ?? "");
        var bServer = InfoProbe.PortOf(result.String("b_server") ?? "");
        Assert.Multiple(() =>
        {
            Assert.That(result.Strings("discovered").Select(InfoProbe.PortOf), Is.SupersetOf(survivors),
                "URLs the client learned from INFO connect_urls: " + result.RawLine);
            Assert.That(reconnectedTo, Is.AnyOf(second.Port, third.Port), "client A must fail over to a surviving member");
            Assert.That(bServer, Is.AnyOf(second.Port, third.Port).And.Not.EqualTo(reconnectedTo),
                "client B must be on the other surviving member");
            Assert.That(result.Long("to_a_received"), Is.EqualTo(Count), "B -> A across the route");
            Assert.That(result.Long("to_b_received"), Is.EqualTo(Count), "A -> B across the route");
            Assert.That(result.Bool("to_a_in_order"), Is.True, result.RawLine);
            Assert.That(result.Bool("to_b_in_order"), Is.True, result.RawLine);
        });
    }

    [Test]
    public async Task QueueGroupSpansOurServerAndTheReferenceServer()
    {
        // Members 1 and 3 run our server, member 2 the reference nats-server: the group has
        // members on both kinds, and messages are published on both kinds.
        string[] templates = [ServerCommand.UnderTest, ServerCommand.Reference, ServerCommand.UnderTest];
        var cluster = await Scope.StartClusterAsync(templates, ClusterTopology.FullMesh);
        var (ours, reference, ours2) = (cluster.Members[0], cluster.Members[1], cluster.Members[2]);
        const int count = 600;

        var result = await Scope.RunClientAsync(ClientKind.Js, "queue", Args(
            ("servers", ours.Url),
            ("member_servers", $"{ours.Url},{reference.Url},{ours2.Url}"),
            ("plain_server", reference.Url),
            ("pub_servers", $"{ours.Url},{reference.Url}"),
            ("settle_ms", 1000),
            ("count", count)));

        result.AssertOk();
        var perMember = result.Longs("queue_counts");
        Assert.Multiple(() =>
        {
            Assert.That(perMember.Sum(), Is.EqualTo(count), "deliveries within the group: " + result.RawLine);
            Assert.That(result.Long("queue_unique"), Is.EqualTo(count), "distinct messages seen by the group");
            Assert.That(result.Long("queue_duplicates"), Is.Zero, "messages delivered to more than one member");
            Assert.That(result.Long("plain_unique"), Is.EqualTo(count), "the plain subscriber on the reference server sees all");
            Assert.That(perMember, Has.All.GreaterThan(0), "members on both kinds of server get a share: " + result.RawLine);
        });
    }
}
