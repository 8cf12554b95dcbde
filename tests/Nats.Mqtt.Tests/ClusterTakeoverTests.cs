using System.Net;
using System.Net.Sockets;
using MQTTnet;
using MQTTnet.Protocol;

namespace Nats.Mqtt.Tests;

/// <summary>
/// Session takeover across a cluster [MQTT-3.1.4-2]: a CONNECT with a client ID connected on
/// another server of the cluster closes the connection there (each server has its own
/// JetStream: JetStream is not clustered here, so the sessions' state is per server).
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class ClusterTakeoverTests
{
    [Test]
    public async Task A_client_ID_connecting_on_another_server_of_the_cluster_closes_the_first_connection()
    {
        var ports = FreePorts(2);
        await using var a = await MqttServer.StartClusteredAsync("a", ports[0], ports[1]);
        await using var b = await MqttServer.StartClusteredAsync("b", ports[1], ports[0]);
        await WaitForRouteAsync(a, b);

        foreach (var (first, second, id) in new[] { (a, b, "roamer-ab"), (b, a, "roamer-ba") })
        {
            using var one = await first.ConnectAsync(id);
            var oneGone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            one.DisconnectedAsync += _ =>
            {
                oneGone.TrySetResult();
                return Task.CompletedTask;
            };

            using var two = await second.ConnectAsync(id);
            await oneGone.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.That(two.IsConnected, Is.True, $"{id}: the new connection stays");

            // The new connection is served: a message published on the first server reaches it.
            var received = new Received(two);
            await two.SubscribeAsync(id + "/x", MqttQualityOfServiceLevel.AtMostOnce);
            using var publisher = await first.ConnectAsync("pub-" + id);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (true)
            {
                // Until the subscription's interest has crossed the route.
                await publisher.PublishStringAsync(id + "/x", "after");
                if (!await received.NothingWithinAsync(TimeSpan.FromMilliseconds(500)))
                {
                    break;
                }
                Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"{id}: nothing reached the new connection");
            }
            Assert.That(one.IsConnected, Is.False);
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    /// <summary>Until a NATS message published on B reaches a subscriber on A (the route is up, interest known).</summary>
    private static async Task WaitForRouteAsync(MqttServer a, MqttServer b)
    {
        await using var onA = a.Nats();
        await using var onB = b.Nats();
        await using var sub = await onA.Connection.SubscribeCoreAsync<string>("route.check");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            await onB.PublishAsync("route.check", "ping", cancellationToken: deadline.Token);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(250));
            try
            {
                await sub.Msgs.ReadAsync(wait.Token);
                return;
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
            }
        }
    }
}
