using System.Diagnostics;
using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>Debian's mosquitto_pub and mosquitto_sub as real MQTT peers, both directions with NATS.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class MosquittoTests
{
    private static Process Start(string tool, string arguments)
    {
        var process = Process.Start(new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        return process;
    }

    private static void RequireTools()
    {
        if (!File.Exists("/usr/bin/mosquitto_pub") || !File.Exists("/usr/bin/mosquitto_sub"))
        {
            Assert.Ignore("mosquitto-clients is not installed (test.sh installs it)");
        }
    }

    [TestCase("mqttv311")]
    [TestCase("mqttv5")]
    public async Task Mosquitto_pub_reaches_a_NATS_subscriber(string version)
    {
        RequireTools();
        await using var server = await MqttServer.StartAsync();
        await using var nats = server.Nats();
        await using var sub = await nats.Connection.SubscribeCoreAsync<string>("mosq.>");
        await nats.PingAsync();
        using var pub = Start("mosquitto_pub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -q 1 -t mosq/test -m from-mosquitto");
        await pub.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
        Assert.That(pub.ExitCode, Is.Zero, await pub.StandardError.ReadToEndAsync());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var msg = await sub.Msgs.ReadAsync(cts.Token);
        Assert.That(msg.Subject, Is.EqualTo("mosq.test"));
        Assert.That(msg.Data, Is.EqualTo("from-mosquitto"));
    }

    [TestCase("mqttv311")]
    [TestCase("mqttv5")]
    public async Task Mosquitto_sub_receives_a_NATS_publish(string version)
    {
        RequireTools();
        await using var server = await MqttServer.StartAsync();
        using var sub = Start("mosquitto_sub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -t mosq/+/x -C 1 -v -W 20");
        await Nats.TestSupport.TestServer.WaitUntilAsync(() => server.Server.Clients.Any(c => c.SubscriptionCount > 0), "mosquitto_sub subscribed", TimeSpan.FromSeconds(10));
        await using var nats = server.Nats();
        await nats.PublishAsync("mosq.a.x", "from-nats");
        var line = await sub.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.That(line, Is.EqualTo("mosq/a/x from-nats"));
        await sub.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
    }
}
