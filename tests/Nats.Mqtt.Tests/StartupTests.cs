using System.Diagnostics;
using MQTTnet.Formatter;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.JetStream.Server;
using Nats.TestSupport;

namespace Nats.Mqtt.Tests;

/// <summary>
/// MQTT needs server_name and JetStream: refused at start with nats-server 2.9.10's errors
/// (checked against the binary); once started, clients are accepted from the first moment.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class StartupTests
{
    [TestCase("jetstream: enabled\nmqtt { port: -1 }", "mqtt requires server name to be explicitly set")]
    [TestCase("server_name: s1\nmqtt { port: -1 }", "mqtt requires JetStream to be enabled if running in standalone mode")]
    public async Task The_server_refuses_to_start_as_nats_server_does(string config, string error)
    {
        var ours = Assert.Catch<Nats.Core.Plugins.PluginException>(() =>
        {
            var options = ServerOptionsBinder.Bind(ConfParser.ParseString(config, "mqtt.conf")).Options;
            var server = new NatsServer(options);
            server.AddPlugin(new JetStreamPlugin());
            server.AddPlugin(new MqttPlugin());
        })!;
        Assert.That(ours.Message, Does.Contain(error));

        var reference = ReferenceServer.RequireInstalled();
        var file = Path.Combine(Path.GetTempPath(), "mqtt-startup-" + Guid.NewGuid().ToString("N") + ".conf");
        await File.WriteAllTextAsync(file, config.Replace("port: -1", "port: 0").Replace("mqtt { port: 0 }", "mqtt { port: 18883 }"));
        try
        {
            using var process = Process.Start(new ProcessStartInfo(reference, $"-c {file}") { RedirectStandardError = true, RedirectStandardOutput = true })!;
            var stderr = await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.That(process.ExitCode, Is.Not.Zero);
            Assert.That(stderr, Does.Contain(error));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Clients connecting the moment the server is up (the account's MQTT streams not created
    /// yet, JetStream answering its first requests, much of it still compiling) are all accepted:
    /// start-up timing alone refuses nobody (no CONNACK 0x03, no close without a CONNACK).
    /// </summary>
    [Test]
    public async Task Clients_connecting_right_after_start_are_all_accepted()
    {
        await using var server = await MqttServer.StartAsync();
        var connects = Enumerable.Range(0, 8)
            .Select(i => server.ConnectWithResultAsync("early-" + i, i % 2 == 0 ? MqttProtocolVersion.V311 : MqttProtocolVersion.V500,
                b => b.WithCleanSession(i % 4 < 2)))
            .ToList();
        var connected = await Task.WhenAll(connects);
        Assert.That(connected.Select(c => c.Result.ResultCode), Is.All.EqualTo(MQTTnet.MqttClientConnectResultCode.Success));
        foreach (var (client, _, _) in connected)
        {
            client.Dispose();
        }
    }
}
