using System.Text.Json;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>An account's JetStream usage, for <c>/jsz</c> and <c>/varz</c>.</summary>
public sealed record JsAccountStats(ulong Memory, ulong Store, int Streams, int Consumers, ulong Messages, ulong Bytes, ulong ApiTotal, ulong ApiErrors);

public sealed partial class JsAccount
{
    /// <summary>The options the account runs with.</summary>
    public JsAccountOptions Options => _options;

    /// <summary>Usage totals (a snapshot).</summary>
    public JsAccountStats Stats()
    {
        ulong memory = 0, store = 0, messages = 0;
        int streams, consumers = 0;
        lock (_gate)
        {
            streams = _streams.Count;
            foreach (var e in _streams.Values)
            {
                consumers += e.Consumers.Count;
                var state = e.Stream.Store.State();
                messages += state.Msgs;
                if (e.Stream.Store.Type == StorageType.Memory)
                {
                    memory += state.Bytes;
                }
                else
                {
                    store += state.Bytes;
                }
            }
        }
        return new JsAccountStats(memory, store, streams, consumers, messages, memory + store, Interlocked.Read(ref _apiTotal), Interlocked.Read(ref _apiErrors));
    }

    /// <summary>
    /// <c>/jsz</c>'s <c>stream_detail</c>: each stream's name, created time, state and (when
    /// asked) config and consumers, in the API's JSON shapes.
    /// </summary>
    public IReadOnlyList<JsonElement> StreamDetails(bool withConfig, bool withConsumers)
    {
        List<StreamEntry> entries;
        lock (_gate)
        {
            entries = [.. _streams.Values.OrderBy(e => e.Stream.Name, StringComparer.Ordinal)];
        }
        var result = new List<JsonElement>(entries.Count);
        foreach (var entry in entries)
        {
            var info = StreamInfoOf(entry, "stream_info_response", null);
            using var doc = JsonSerializer.SerializeToDocument(info, JsApiJsonContext.Default.StreamInfo);
            var detail = new Dictionary<string, JsonElement>
            {
                ["name"] = JsonSerializer.SerializeToElement(entry.Stream.Name, JsApiJsonContext.Default.String),
                ["created"] = doc.RootElement.GetProperty("created").Clone(),
            };
            if (withConfig)
            {
                detail["config"] = doc.RootElement.GetProperty("config").Clone();
            }
            detail["state"] = doc.RootElement.GetProperty("state").Clone();
            if (withConsumers)
            {
                List<Consumers.JsConsumer> consumers;
                lock (_gate)
                {
                    consumers = [.. entry.Consumers.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];
                }
                detail["consumer_detail"] = JsonSerializer.SerializeToElement(
                    consumers.Select(c => JsonSerializer.SerializeToElement(WithoutType(c.Info()), JsApiJsonContext.Default.ConsumerInfo)).ToList(),
                    JsApiJsonContext.Default.ListJsonElement);
            }
            result.Add(JsonSerializer.SerializeToElement(detail, JsApiJsonContext.Default.DictionaryStringJsonElement));
        }
        return result;
    }

    private static ConsumerInfo WithoutType(ConsumerInfo info)
    {
        info.Type = null;
        return info;
    }
}
