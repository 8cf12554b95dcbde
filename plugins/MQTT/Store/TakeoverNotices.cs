using System.Text.Json;
using Nats.Core.Plugins;

namespace Nats.Mqtt.Store;

/// <summary>
/// Session takeover across a cluster: each server tells the others of every MQTT CONNECT in the
/// account (<c>$MQTT.JSA.&lt;id&gt;.CN</c>, the plugin's own reply space), and closes its own
/// connection with that client ID when the other one is newer [MQTT-3.1.4-2].
/// </summary>
/// <remarks>
/// nats-server learns it from the pub acks of session records in its clustered <c>$MQTT_sess</c>
/// stream; here JetStream is not clustered (each server keeps its own MQTT state), so the
/// servers say it outright. Thread safety: <see cref="Announce"/> from any task; notices arrive
/// on the in-process connection's subscription task.
/// </remarks>
internal sealed class TakeoverNotices : IDisposable
{
    private const string Prefix = "$MQTT.JSA.";
    private const string Token = ".CN";

    private readonly IInProcessConnection _connection;
    private readonly string _subject;
    private readonly IDisposable _subscription;
    private readonly Action<string, long> _connectedElsewhere;

    /// <param name="connection">The account's in-process connection.</param>
    /// <param name="connectedElsewhere">Called with the client ID and connect time (UTC ticks) of a CONNECT on another server.</param>
    public TakeoverNotices(IInProcessConnection connection, Action<string, long> connectedElsewhere)
    {
        _connection = connection;
        _connectedElsewhere = connectedElsewhere;
        _subject = Prefix + Nuid.Next() + Token;
        _subscription = connection.Subscribe(Prefix + "*" + Token, null, OnNotice);
    }

    /// <summary>Tells the other servers that <paramref name="clientId"/> connected here at <paramref name="connectedAt"/> (UTC ticks).</summary>
    public void Announce(string clientId, long connectedAt)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Notice(clientId, connectedAt), NoticeJson.Default.Notice);
        _connection.Publish(_subject, payload);
    }

    private ValueTask OnNotice(InProcessMessage message)
    {
        if (message.Subject == _subject)
        {
            return ValueTask.CompletedTask;
        }
        try
        {
            if (JsonSerializer.Deserialize(message.Payload.Span, NoticeJson.Default.Notice) is { Id.Length: > 0 } notice)
            {
                _connectedElsewhere(notice.Id, notice.At);
            }
        }
        catch (JsonException)
        {
            // Not a notice of ours: ignored.
        }
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _subscription.Dispose();
}

/// <summary>A CONNECT on another server: the client ID and when (UTC ticks).</summary>
internal sealed record Notice(string Id, long At);

[System.Text.Json.Serialization.JsonSerializable(typeof(Notice))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class NoticeJson : System.Text.Json.Serialization.JsonSerializerContext;
