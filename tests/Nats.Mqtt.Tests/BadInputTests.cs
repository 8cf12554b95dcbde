using System.Net.Sockets;
using MQTTnet;
using NATS.Client.Core;

namespace Nats.Mqtt.Tests;

/// <summary>Bad input gets the MQTT-mandated answer (a CONNACK code, or the connection closed) and the server goes on.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class BadInputTests
{
    private static async Task<(TcpClient Tcp, NetworkStream Stream)> OpenAsync(MqttServer server)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.MqttPort);
        return (tcp, tcp.GetStream());
    }

    /// <summary>Reads until the server closes; returns what it sent (bounded).</summary>
    private static async Task<byte[]> ReadUntilClosedAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, cts.Token);
            }
            catch (IOException)
            {
                return [.. received];
            }
            if (n == 0)
            {
                return [.. received];
            }
            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    private static byte[] Connect(byte level, string clientId = "raw", byte flags = 0x02)
    {
        var id = System.Text.Encoding.UTF8.GetBytes(clientId);
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', level, flags, 0, 60 };
        if (level == 5)
        {
            body.Add(0);
        }
        body.Add((byte)(id.Length >> 8));
        body.Add((byte)id.Length);
        body.AddRange(id);
        return [0x10, (byte)body.Count, .. body];
    }

    private static async Task AssertHealthyAsync(MqttServer server)
    {
        using var client = await server.ConnectAsync("health-" + Guid.NewGuid().ToString("N")[..8]);
        var received = new Received(client);
        await client.SubscribeAsync("health/check");
        await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("health/check").WithPayload("ok").Build());
        Assert.That((await received.NextAsync()).ConvertPayloadToString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task An_unknown_protocol_level_gets_CONNACK_0x01()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(Connect(level: 6));
        var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5));
        Assert.That(answer, Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x01 }));
        await AssertHealthyAsync(server);
    }

    [Test]
    public async Task An_empty_client_id_without_clean_session_gets_CONNACK_0x02()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(Connect(level: 4, clientId: "", flags: 0x00));
        var answer = await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5));
        Assert.That(answer, Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x02 }));
    }

    [Test]
    public async Task A_remaining_length_of_five_bytes_closes_the_connection()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(Connect(level: 4));
        var connack = new byte[4];
        await stream.ReadExactlyAsync(connack);
        Assert.That(connack, Is.EqualTo(new byte[] { 0x20, 0x02, 0x00, 0x00 }));
        await stream.WriteAsync(new byte[] { 0x30, 0xff, 0xff, 0xff, 0xff, 0x01 });
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5)), Is.Empty);
        await AssertHealthyAsync(server);
    }

    [Test]
    public async Task A_packet_larger_than_max_payload_closes_the_connection_before_it_is_buffered()
    {
        await using var server = await MqttServer.StartAsync("max_payload: 1024");
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(Connect(level: 4));
        await stream.ReadExactlyAsync(new byte[4]);
        // Announces 200 MB and sends nothing more: the header alone is refused.
        await stream.WriteAsync(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x64 });
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5)), Is.Empty);
        await AssertHealthyAsync(server);
    }

    [Test]
    public async Task A_packet_before_CONNECT_closes_the_connection()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(new byte[] { 0xC0, 0x00 });
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5)), Is.Empty);
    }

    [Test]
    public async Task A_CONNECT_that_never_comes_is_timed_out()
    {
        await using var server = await MqttServer.StartAsync(mqttBlock: "authorization { timeout: 0.5 }");
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        var started = DateTime.UtcNow;
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(20)), Is.Empty);
        Assert.That(DateTime.UtcNow - started, Is.LessThan(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public async Task A_wildcard_in_a_PUBLISH_topic_closes_the_connection()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync(Connect(level: 4));
        await stream.ReadExactlyAsync(new byte[4]);
        await stream.WriteAsync(new byte[] { 0x30, 0x05, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'#' });
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5)), Is.Empty);
        await AssertHealthyAsync(server);
    }

    [Test]
    public async Task An_HTTP_request_on_the_MQTT_port_is_closed()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        await stream.WriteAsync("GET /mqtt HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(5)), Is.Empty);
    }

    [Test]
    public async Task Keep_alive_is_enforced_at_one_and_a_half_times()
    {
        await using var server = await MqttServer.StartAsync();
        var (tcp, stream) = await OpenAsync(server);
        using var _ = tcp;
        var connect = Connect(level: 4);
        connect[11] = 1;   // keep-alive: 1 s
        await stream.WriteAsync(connect);
        await stream.ReadExactlyAsync(new byte[4]);
        var started = DateTime.UtcNow;
        Assert.That(await ReadUntilClosedAsync(stream, TimeSpan.FromSeconds(20)), Is.Empty);
        var elapsed = DateTime.UtcNow - started;
        // Not at 1 s (the lower bound), and enforced at all (the upper, far below the 20 s read).
        Assert.That(elapsed, Is.GreaterThan(TimeSpan.FromSeconds(1.2)).And.LessThan(TimeSpan.FromSeconds(15)));
    }
}
