using Nats.Core.Cluster;

namespace Nats.Core.Tests.Cluster;

/// <summary>
/// The route path warm-up (issue 18) names the route's async methods by string: a rename
/// must fail here, not silently leave the joining member cold again.
/// </summary>
[TestFixture]
public sealed class RoutePathWarmupTests
{
    [Test]
    public void Every_route_path_state_machine_is_found_and_prepared()
    {
        Assert.That(RoutePathWarmup.Run(), Is.EqualTo(RoutePathWarmup.AsyncMethods.Length));
    }

    [Test]
    public void The_warm_up_can_run_again_beside_a_running_cluster()
    {
        // It owns its loopback pair: running it twice (two servers in one process) is harmless.
        Assert.Multiple(() =>
        {
            Assert.That(RoutePathWarmup.Run(), Is.EqualTo(RoutePathWarmup.AsyncMethods.Length));
            Assert.That(RoutePathWarmup.Run(), Is.EqualTo(RoutePathWarmup.AsyncMethods.Length));
        });
    }
}
