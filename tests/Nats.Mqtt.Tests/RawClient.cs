using System.Net.Sockets;
using System.Text;

namespace Nats.Mqtt.Tests;

/// <summary>
/// A bare MQTT 3.1.1 client over TCP, for what libraries do for you and tests must control:
/// duplicate QoS 2 PUBLISH packets, a PUBREC without the PUBCOMP, leaving mid-flow.
/// </summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>Connects and reads the CONNACK; returns the client and the session present flag.</summary>
    public static async Task<(RawClient Client, bool SessionPresent)> ConnectAsync(MqttServer server, string clientId, bool clean, byte[]? v5Properties = null)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", server.MqttPort);
        var client = new RawClient(tcp) { IsV5 = v5Properties is not null };
        var body = new List<byte>();
        body.AddRange(Str("MQTT"));
        body.Add(v5Properties is null ? (byte)4 : (byte)5);
        body.Add(clean ? (byte)0x02 : (byte)0x00);
        body.AddRange(new byte[] { 0, 60 });
        if (v5Properties is not null)
        {
            body.Add((byte)v5Properties.Length);
            body.AddRange(v5Properties);
        }
        body.AddRange(Str(clientId));
        await client.SendAsync(0x10, [.. body]);
        var (type, _, connack) = await client.ReadAsync();
        client.ConnAck = connack;
        // MQTT 5's CONNACK has its properties after the reason code.
        Assert.That((type, connack[1]), Is.EqualTo((2, 0)), "CONNACK accepted");
        return (client, (connack[0] & 1) == 1);
    }

    private static byte[] Str(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    private static byte[] Id(ushort packetId) => [(byte)(packetId >> 8), (byte)packetId];

    /// <summary>The CONNACK's body (flags, reason code, MQTT 5 properties).</summary>
    public byte[] ConnAck { get; private set; } = [];

    /// <summary>An MQTT 5 CONNACK property (<paramref name="id"/>: 0x21 Receive Maximum, 0x27 Maximum Packet Size, …) as a number, or null.</summary>
    public long? ConnAckProperty(byte id)
    {
        var (length, at) = VariableInt(ConnAck, 2);
        var end = at + length;
        while (at < end)
        {
            var property = ConnAck[at++];
            switch (property)
            {
                case 0x01 or 0x17 or 0x19 or 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    if (property == id)
                    {
                        return ConnAck[at];
                    }
                    at += 1;
                    break;
                case 0x13 or 0x21 or 0x22:
                    if (property == id)
                    {
                        return (ConnAck[at] << 8) | ConnAck[at + 1];
                    }
                    at += 2;
                    break;
                case 0x02 or 0x11 or 0x27:
                    if (property == id)
                    {
                        return ((long)ConnAck[at] << 24) | ((long)ConnAck[at + 1] << 16) | ((long)ConnAck[at + 2] << 8) | ConnAck[at + 3];
                    }
                    at += 4;
                    break;
                case 0x26:
                    at += 2 + ((ConnAck[at] << 8) | ConnAck[at + 1]);
                    at += 2 + ((ConnAck[at] << 8) | ConnAck[at + 1]);
                    break;
                default:
                    // Strings and binary data (assigned client ID, reason string, …).
                    at += 2 + ((ConnAck[at] << 8) | ConnAck[at + 1]);
                    break;
            }
        }
        return null;
    }

    private static (int Value, int Next) VariableInt(byte[] bytes, int at)
    {
        var value = 0;
        var multiplier = 1;
        while (true)
        {
            var digit = bytes[at++];
            value += (digit & 0x7f) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0)
            {
                return (value, at);
            }
        }
    }

    /// <summary>MQTT 5 (a property length follows packet IDs and topics).</summary>
    public bool IsV5 { get; private init; }

    public Task SubscribeAsync(string filter, byte qos, ushort packetId = 1) =>
        SendAsync(0x82, IsV5 ? [.. Id(packetId), 0, .. Str(filter), qos] : [.. Id(packetId), .. Str(filter), qos]);

    public Task PublishAsync(string topic, string payload, int qos, ushort packetId, bool dup = false) =>
        SendAsync((byte)(0x30 | (dup ? 0x08 : 0) | (qos << 1)), [.. Str(topic), .. (qos > 0 ? Id(packetId) : []), .. (IsV5 ? new byte[] { 0 } : []), .. Encoding.UTF8.GetBytes(payload)]);

    public Task PubRecAsync(ushort packetId) => SendAsync(0x50, Id(packetId));

    public Task PubRelAsync(ushort packetId) => SendAsync(0x62, Id(packetId));

    public Task PubCompAsync(ushort packetId) => SendAsync(0x70, Id(packetId));

    public async Task SendAsync(byte header, byte[] body)
    {
        var packet = new List<byte> { header };
        var length = body.Length;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        packet.AddRange(body);
        await _stream.WriteAsync(packet.ToArray());
    }

    /// <summary>The next packet: type, flags, body (bounded wait).</summary>
    public async Task<(int Type, int Flags, byte[] Body)> ReadAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var header = await ReadExactlyAsync(1, cts.Token);
        var length = 0;
        var multiplier = 1;
        while (true)
        {
            var digit = (await ReadExactlyAsync(1, cts.Token))[0];
            length += (digit & 0x7f) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0)
            {
                break;
            }
        }
        var body = length == 0 ? [] : await ReadExactlyAsync(length, cts.Token);
        return (header[0] >> 4, header[0] & 0x0f, body);
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken token)
    {
        var buffer = new byte[count];
        await _stream.ReadExactlyAsync(buffer, token);
        return buffer;
    }

    /// <summary>The packet ID at the start of a body (PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK).</summary>
    public static ushort PacketId(byte[] body, int at = 0) => (ushort)((body[at] << 8) | body[at + 1]);

    /// <summary>A PUBLISH body's topic, packet ID and payload.</summary>
    public static (string Topic, ushort PacketId, string Payload) Publish(int flags, byte[] body)
    {
        var topicLength = (body[0] << 8) | body[1];
        var topic = Encoding.UTF8.GetString(body, 2, topicLength);
        var at = 2 + topicLength;
        ushort packetId = 0;
        if (((flags >> 1) & 3) > 0)
        {
            packetId = PacketId(body, at);
            at += 2;
        }
        return (topic, packetId, Encoding.UTF8.GetString(body, at, body.Length - at));
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
