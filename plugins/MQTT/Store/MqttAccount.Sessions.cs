using System.Text.Json;
using Nats.Mqtt.Logging;

namespace Nats.Mqtt.Store;

/// <summary>
/// The account's sessions as a whole: the sweep when its MQTT state opens (at the server's start
/// for an account that has some), and who holds each shared subscription's consumer, so the
/// group's consumer goes when its last session does.
/// </summary>
internal sealed partial class MqttAccount
{
    // Per shared consumer (share_<hash>): the sessions holding it, connected or stored. Guarded by
    // _sharesGate, which also orders the group consumer's creation and deletion.
    private readonly Dictionary<string, int> _shareMembers = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sharesGate = new(1, 1);

    /// <summary>The sessions kept by the sweep (read once by the runtime, which times their expiry).</summary>
    public IReadOnlyList<SessionRecord> KeptAtOpen { get; private set; } = [];

    /// <summary>A session takes a shared subscription: counted, then the group's consumer is created (or updated).</summary>
    public async Task JoinShareAsync(string durable, Func<Task> create)
    {
        await _sharesGate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Counted before the create: a failed create is followed by the subscription's removal, which leaves.
            _shareMembers[durable] = _shareMembers.GetValueOrDefault(durable) + 1;
            await create().ConfigureAwait(false);
        }
        finally
        {
            _sharesGate.Release();
        }
    }

    /// <summary>A session gives a shared subscription up (UNSUBSCRIBE, clean close, discarded): the last one deletes the group's consumer.</summary>
    public async Task LeaveShareAsync(string durable)
    {
        await _sharesGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var left = _shareMembers.GetValueOrDefault(durable) - 1;
            if (left > 0)
            {
                _shareMembers[durable] = left;
                return;
            }
            _shareMembers.Remove(durable);
            await DeleteConsumerAsync(StreamNames.Messages, durable).ConfigureAwait(false);
        }
        finally
        {
            _sharesGate.Release();
        }
    }

    /// <summary>
    /// Reads every session record (before any client of the account is served): the clean ones
    /// (their connections ended with the previous run) and the expired ones are discarded with
    /// their consumers; the others are kept and count as members of their shared subscriptions;
    /// a shared consumer no session holds any more is deleted.
    /// </summary>
    private async Task SweepSessionsAsync()
    {
        var kept = new List<SessionRecord>();
        var discarded = new List<SessionRecord>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ulong next = 1;
        while (true)
        {
            JsonElement root;
            try
            {
                var from = next;
                root = await Js.RequestAsync("STREAM.MSG.GET." + StreamNames.Sessions, Json(json =>
                {
                    json.WriteNumber("seq", from);
                    json.WriteString("next_by_subj", _sessionPrefix + ">");
                })).ConfigureAwait(false);
            }
            catch (JsApiException e) when (e.ErrCode == 10037 || e.Code == 404)
            {
                break;
            }
            var message = root.GetProperty("message");
            var sequence = message.GetProperty("seq").GetUInt64();
            var data = message.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetBytesFromBase64() : [];
            if (SessionRecord.Decode(data, sequence) is { } record)
            {
                (record.Clean || record.ExpiredAt(now) ? discarded : kept).Add(record);
            }
            next = sequence + 1;
        }
        foreach (var record in kept)
        {
            foreach (var filter in record.Filters)
            {
                if (filter.Queue is not null && filter.Durable is not null)
                {
                    _shareMembers[filter.Durable] = _shareMembers.GetValueOrDefault(filter.Durable) + 1;
                }
            }
        }
        foreach (var record in discarded)
        {
            await DiscardSessionAsync(record, leaveShares: false).ConfigureAwait(false);
        }
        foreach (var name in await ConsumerNamesAsync(StreamNames.Messages).ConfigureAwait(false))
        {
            if (name.StartsWith(StreamNames.SharedDurablePrefix, StringComparison.Ordinal) && !_shareMembers.ContainsKey(name))
            {
                await DeleteConsumerAsync(StreamNames.Messages, name).ConfigureAwait(false);
            }
        }
        KeptAtOpen = kept;
        if (discarded.Count > 0)
        {
            MqttLog.SessionsSwept(_logger, discarded.Count, kept.Count);
        }
    }

    /// <summary>The names of a stream's consumers (<c>CONSUMER.NAMES</c>, page by page).</summary>
    private async Task<List<string>> ConsumerNamesAsync(string stream)
    {
        var names = new List<string>();
        while (true)
        {
            var offset = names.Count;
            var root = await Js.RequestAsync("CONSUMER.NAMES." + stream, Json(json => json.WriteNumber("offset", offset))).ConfigureAwait(false);
            var page = root.TryGetProperty("consumers", out var list) && list.ValueKind == JsonValueKind.Array ? list : default;
            var before = names.Count;
            if (page.ValueKind == JsonValueKind.Array)
            {
                foreach (var name in page.EnumerateArray())
                {
                    names.Add(name.GetString() ?? "");
                }
            }
            var total = root.TryGetProperty("total", out var t) ? t.GetInt32() : names.Count;
            if (names.Count == before || names.Count >= total)
            {
                return names;
            }
        }
    }
}
