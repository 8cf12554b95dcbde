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

    private static async Task<string> RunAsync(string tool, string arguments)
    {
        using var process = Start(tool, arguments);
        var output = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.That(process.ExitCode, Is.Zero, $"{tool} {arguments}: {await process.StandardError.ReadToEndAsync()}");
        return await output;
    }

    [TestCase("mqttv311")]
    [TestCase("mqttv5")]
    public async Task Mosquitto_sub_with_a_persistent_session_gets_the_QoS1_messages_sent_while_it_was_away(string version)
    {
        RequireTools();
        await using var server = await MqttServer.StartAsync();
        var session = version == "mqttv5" ? "-x 3600" : "";
        // Subscribe (QoS 1, persistent session), then leave at once.
        await RunAsync("mosquitto_sub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -c {session} -i mosq-keeper -q 1 -t offline/# -E");
        for (var i = 1; i <= 3; i++)
        {
            await RunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -q 1 -t offline/q -m m{i}");
        }
        await server.RestartAsync();
        var lines = await RunAsync("mosquitto_sub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -c {session} -i mosq-keeper -q 1 -t offline/# -C 3 -W 20 -v");
        Assert.That(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "offline/q m1", "offline/q m2", "offline/q m3" }));
    }

    [TestCase("mqttv311")]
    [TestCase("mqttv5")]
    public async Task Mosquitto_retained_messages_are_set_and_cleared(string version)
    {
        RequireTools();
        await using var server = await MqttServer.StartAsync();
        await RunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -q 1 -r -t status/a -m up");
        await RunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -q 0 -r -t status/b -m down");
        var retained = await RunAsync("mosquitto_sub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -t status/# --retained-only -C 2 -W 10 -v");
        Assert.That(retained.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EquivalentTo(new[] { "status/a up", "status/b down" }));
        // -n: an empty retained message clears the topic.
        await RunAsync("mosquitto_pub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -q 1 -r -t status/a -n");
        // Retained messages come in the order they were stored: status/a first if it were still there.
        var left = await RunAsync("mosquitto_sub", $"-h 127.0.0.1 -p {server.MqttPort} -V {version} -t status/# --retained-only -C 1 -W 10 -v");
        Assert.That(left.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "status/b down" }));
    }
}
