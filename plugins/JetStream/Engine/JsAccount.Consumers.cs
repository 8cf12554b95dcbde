using System.Text.Json;
using Nats.Core.Security;
using Nats.JetStream.Api;
using Nats.JetStream.Engine.Consumers;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

public sealed partial class JsAccount
{
    /// <summary>
    /// <c>CONSUMER.CREATE.&lt;s&gt;</c> (legacy ephemeral), <c>CONSUMER.CREATE.&lt;s&gt;.&lt;c&gt;[.&lt;filter&gt;]</c>
    /// and <c>CONSUMER.DURABLE.CREATE.&lt;s&gt;.&lt;c&gt;</c>, checked in nats-server's order.
    /// </summary>
    private byte[] ConsumerCreate(string[] t, byte[] body)
    {
        var req = JsJson.Decode(body, JsJsonContext.Default.ConsumerCreateRequest);
        if (req.Config is null)
        {
            throw new JsApiException(JsErrors.ConsumerConfigRequired);
        }
        var config = req.Config;
        string streamName;
        string? consumerName;
        string? filtered = null;
        var durableLegacy = t[1] == "DURABLE";
        if (durableLegacy)
        {
            if (t.Length != 5)
            {
                throw new JsApiException(JsErrors.ConsumerDurableNameNotInSubject);
            }
            streamName = t[3];
            consumerName = t[4];
        }
        else if (t.Length == 3)
        {
            streamName = t[2];
            consumerName = config.Name;
        }
        else
        {
            streamName = t[2];
            consumerName = t[3];
            if (t.Length > 4)
            {
                filtered = string.Join('.', t[4..]);
            }
        }
        if (streamName != req.Stream)
        {
            throw new JsApiException(JsErrors.StreamMismatch);
        }
        if (consumerName is { Length: > 0 } && consumerName.AsSpan().IndexOfAny('\\', '/') >= 0)
        {
            throw new JsApiException(JsErrors.ConsumerNameContainsPathSeparators);
        }
        if (durableLegacy)
        {
            if (string.IsNullOrEmpty(config.Durable))
            {
                throw new JsApiException(JsErrors.ConsumerDurableNameNotSet);
            }
            if (consumerName != config.Durable)
            {
                throw new JsApiException(JsErrors.ConsumerDurableNameNotMatchSubject);
            }
            config.Name = consumerName;
        }
        else if (t.Length > 3)
        {
            if (!string.IsNullOrEmpty(config.Durable) && consumerName != config.Durable)
            {
                throw new JsApiException(JsErrors.ConsumerDurableNameNotMatchSubject);
            }
            config.Name = consumerName;
        }
        else if (!string.IsNullOrEmpty(config.Durable))
        {
            throw new JsApiException(JsErrors.ConsumerEphemeralWithDurableName);
        }
        if (filtered is not null && config.FilterSubjects is { Count: > 0 })
        {
            throw new JsApiException(JsErrors.ConsumerMultipleFiltersNotAllowed);
        }
        if (filtered is not null && config.FilterSubject != filtered)
        {
            throw new JsApiException(JsErrors.ConsumerCreateFilterSubjectMismatch);
        }
        if (config.Replicas > 1)
        {
            throw new JsApiException(JsErrors.StreamReplicasNotSupported);
        }
        var entry = Entry(streamName);
        var cfg = ConsumerConfigCheck.Check(config, entry.Stream.Config);
        var name = cfg.Name is { Length: > 0 } n ? n : cfg.Durable is { Length: > 0 } d ? d : NewEphemeralName();
        cfg.Name = name;
        JsConsumer consumer;
        var created = false;
        lock (_gate)
        {
            if (entry.Consumers.TryGetValue(name, out var existing))
            {
                if (SameConfig(existing.Config, cfg))
                {
                    consumer = existing;
                }
                else if (req.Action == "create")
                {
                    throw new JsApiException(JsErrors.ConsumerAlreadyExists);
                }
                else
                {
                    CheckConsumerUpdate(existing.Config, cfg);
                    existing.Close(deleted: false);
                    consumer = OpenConsumerLocked(entry, name, cfg, existing.Created, existing.Snapshot(), create: true);
                    entry.Consumers[name] = consumer;
                    entry.ConsumersChanged();
                }
            }
            else
            {
                if (req.Action == "update")
                {
                    throw new JsApiException(JsErrors.ConsumerDoesNotExist);
                }
                // As nats-server: the account's max_consumers is a limit per stream, the lower one wins.
                var max = entry.Stream.Config.MaxConsumers;
                if (max <= 0 || (_options.MaxConsumers > 0 && _options.MaxConsumers < max))
                {
                    max = _options.MaxConsumers;
                }
                if (max > 0 && entry.Consumers.Count >= max)
                {
                    throw new JsApiException(JsErrors.MaximumConsumersLimit);
                }
                if (entry.Stream.Config.Retention == RetentionPolicy.WorkQueue)
                {
                    CheckWorkQueueLocked(entry, cfg);
                }
                consumer = OpenConsumerLocked(entry, name, cfg, DateTime.UtcNow, null, create: true);
                entry.Consumers[name] = consumer;
                entry.ConsumersChanged();
                created = true;
            }
        }
        if (created)
        {
            Advisories.ConsumerAction(_output, _options.Domain, entry.Stream.Name, name, "create");
        }
        var info = consumer.CreationInfo();
        info.Type = TypeOf("consumer_create_response");
        return JsonSerializer.SerializeToUtf8Bytes(info, JsApiJsonContext.Default.ConsumerInfo);
    }

    private static string NewEphemeralName() => SecureRandom.NewId(8);

    private static bool SameConfig(ConsumerConfig a, ConsumerConfig b) =>
        JsonSerializer.Serialize(a, JsJsonContext.Default.ConsumerConfig) == JsonSerializer.Serialize(b, JsJsonContext.Default.ConsumerConfig);

    /// <summary>nats-server's checkNewConsumerConfig: what a consumer update may not change.</summary>
    private static void CheckConsumerUpdate(ConsumerConfig old, ConsumerConfig cfg)
    {
        string? why = null;
        if (old.DeliverPolicy != cfg.DeliverPolicy)
        {
            why = "deliver policy can not be updated";
        }
        else if (old.OptStartSeq != cfg.OptStartSeq)
        {
            why = "start sequence can not be updated";
        }
        else if (old.OptStartTime != cfg.OptStartTime)
        {
            why = "start time can not be updated";
        }
        else if (old.AckPolicy != cfg.AckPolicy)
        {
            why = "ack policy can not be updated";
        }
        else if (old.ReplayPolicy != cfg.ReplayPolicy)
        {
            why = "replay policy can not be updated";
        }
        else if (old.Heartbeat != cfg.Heartbeat)
        {
            why = "heart beats can not be updated";
        }
        else if (old.FlowControl != cfg.FlowControl)
        {
            why = "flow control can not be updated";
        }
        else if (string.IsNullOrEmpty(old.DeliverSubject) && !string.IsNullOrEmpty(cfg.DeliverSubject))
        {
            why = "can not update pull consumer to push based";
        }
        else if (!string.IsNullOrEmpty(old.DeliverSubject) && string.IsNullOrEmpty(cfg.DeliverSubject))
        {
            why = "can not update push consumer to pull based";
        }
        else if (old.MaxWaiting != cfg.MaxWaiting)
        {
            why = "max waiting can not be updated";
        }
        if (why is not null)
        {
            throw new JsApiException(JsErrors.ConsumerCreate.With("err", why));
        }
    }

    /// <summary>Workqueue streams: one consumer per subject (no two unfiltered, no overlapping filters).</summary>
    private static void CheckWorkQueueLocked(StreamEntry entry, ConsumerConfig cfg)
    {
        var filters = ConsumerConfigCheck.Filters(cfg);
        foreach (var other in entry.Consumers.Values)
        {
            var theirs = ConsumerConfigCheck.Filters(other.Config);
            if (filters.Count == 0 && theirs.Count == 0)
            {
                throw new JsApiException(JsErrors.ConsumerWQMultipleUnfiltered);
            }
            if (filters.Count == 0 || theirs.Count == 0 || filters.Any(a => theirs.Any(b => SubjectMatch.Overlaps(a, b))))
            {
                throw new JsApiException(JsErrors.ConsumerWQConsumerNotUnique);
            }
        }
    }

    /// <summary>Creates a consumer (writing its meta.json for file streams) and hooks retention and inactivity.</summary>
    private JsConsumer OpenConsumerLocked(StreamEntry entry, string name, ConsumerConfig cfg, DateTime created, ConsumerState? state, bool create)
    {
        IConsumerStateStore stateStore;
        if (entry.Directory is { } dir && !cfg.MemoryStorage)
        {
            var obs = Path.Combine(dir, "obs", name);
            Directory.CreateDirectory(obs);
            if (create)
            {
                WriteAtomic(Path.Combine(obs, "meta.json"),
                    JsonSerializer.SerializeToUtf8Bytes(new ConsumerMeta { Created = created, Config = cfg }, JsJsonContext.Default.ConsumerMeta));
            }
            stateStore = new FileConsumerStateStore(obs, _logger, _options.ConsumerStateFlushInterval);
        }
        else
        {
            stateStore = new MemoryConsumerStateStore();
        }
        var consumer = new JsConsumer(entry.Stream, name, cfg, created, stateStore, _output, restored: state);
        consumer.Acked += OnConsumerAcked;
        consumer.Inactive += OnConsumerInactive;
        return consumer;
    }

    /// <summary>Interest and workqueue retention: a message goes once no consumer needs it any more.</summary>
    private void OnConsumerAcked(JsConsumer consumer, IReadOnlyList<ulong> seqs)
    {
        StreamEntry? entry;
        List<JsConsumer> others;
        lock (_gate)
        {
            if (!_streams.TryGetValue(consumer.StreamName, out entry))
            {
                return;
            }
            others = [.. entry.Consumers.Values.Where(c => c != consumer)];
        }
        var store = entry.Stream.Store;
        var workQueue = entry.Stream.Config.Retention == RetentionPolicy.WorkQueue;
        foreach (var seq in seqs)
        {
            if (!workQueue && store.SubjectOf(seq) is { } subject && others.Any(c => c.Needs(seq, subject)))
            {
                continue;
            }
            store.Remove(seq);
        }
    }

    private void OnConsumerInactive(JsConsumer consumer)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(consumer.StreamName, out var entry) || !entry.Consumers.TryGetValue(consumer.Name, out var current) || current != consumer)
            {
                return;
            }
            entry.Consumers.Remove(consumer.Name);
            entry.ConsumersChanged();
        }
        JsAccountLog.ConsumerInactiveDeleted(_logger, consumer.StreamName, consumer.Name);
        consumer.Close(deleted: true);
        Advisories.ConsumerAction(_output, _options.Domain, consumer.StreamName, consumer.Name, "delete");
    }

    private (StreamEntry Entry, JsConsumer Consumer) ConsumerOf(string stream, string name)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(stream, out var entry))
            {
                throw new JsApiException(JsErrors.StreamNotFound);
            }
            return entry.Consumers.TryGetValue(name, out var c) ? (entry, c) : throw new JsApiException(JsErrors.ConsumerNotFound);
        }
    }

    private byte[] ConsumerDelete(string[] t, byte[] body)
    {
        var (entry, consumer) = ConsumerOf(t[2], t[3]);
        lock (_gate)
        {
            entry.Consumers.Remove(consumer.Name);
            entry.ConsumersChanged();
        }
        consumer.Close(deleted: true);
        Advisories.ConsumerAction(_output, _options.Domain, t[2], consumer.Name, "delete");
        return JsonSerializer.SerializeToUtf8Bytes(new SuccessResponse { Type = TypeOf("consumer_delete_response"), Success = true },
            JsApiJsonContext.Default.SuccessResponse);
    }

    /// <summary>
    /// <c>CONSUMER.PAUSE.&lt;stream&gt;.&lt;consumer&gt;</c> (nats-server 2.11): the consumer's
    /// <c>pause_until</c> is set (persisted with its config) or cleared, with a <c>CONSUMER.PAUSE</c>
    /// advisory; the answer says whether it is paused and for how long.
    /// </summary>
    private byte[] ConsumerPause(string[] t, byte[] body)
    {
        var req = Lenient(body, JsApiJsonContext.Default.ConsumerPauseRequest);
        var (entry, consumer) = ConsumerOf(t[2], t[3]);
        DateTime? until = req.PauseUntil is { } u && u > DateTime.MinValue ? u.ToUniversalTime() : null;
        var config = consumer.Pause(until);
        if (entry.Directory is { } dir && !config.MemoryStorage)
        {
            var obs = Path.Combine(dir, "obs", consumer.Name);
            if (Directory.Exists(obs))
            {
                WriteAtomic(Path.Combine(obs, "meta.json"),
                    JsonSerializer.SerializeToUtf8Bytes(new ConsumerMeta { Created = consumer.Created, Config = config }, JsJsonContext.Default.ConsumerMeta));
            }
        }
        var (paused, remaining) = consumer.PauseState();
        Advisories.ConsumerPause(_output, _options.Domain, t[2], consumer.Name, paused, until);
        return JsonSerializer.SerializeToUtf8Bytes(new ConsumerPauseResponse
        {
            Type = TypeOf("consumer_pause_response"),
            Paused = paused,
            PauseUntil = until ?? default,
            PauseRemaining = remaining,
        }, JsApiJsonContext.Default.ConsumerPauseResponse);
    }

    private byte[] ConsumerInfoRequest(string[] t, byte[] body)
    {
        var (_, consumer) = ConsumerOf(t[2], t[3]);
        var info = consumer.Info();
        info.Type = TypeOf("consumer_info_response");
        return JsonSerializer.SerializeToUtf8Bytes(info, JsApiJsonContext.Default.ConsumerInfo);
    }

    private List<JsConsumer> ConsumersOf(string stream)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(stream, out var entry)
                ? [.. entry.Consumers.Values.OrderBy(c => c.Name, StringComparer.Ordinal)]
                : throw new JsApiException(JsErrors.StreamNotFound);
        }
    }

    private byte[] ConsumerNamesRequest(string[] t, byte[] body)
    {
        var req = Lenient(body, JsApiJsonContext.Default.PagedRequest);
        var all = ConsumersOf(t[2]);
        var offset = Math.Clamp(req.Offset, 0, all.Count);
        var resp = new ConsumerNamesResponse
        {
            Type = TypeOf("consumer_names_response"),
            Total = all.Count,
            Offset = offset,
            Limit = NamesLimit,
            Consumers = [.. all.Skip(offset).Take(NamesLimit).Select(c => c.Name)],
        };
        return JsonSerializer.SerializeToUtf8Bytes(resp, JsApiJsonContext.Default.ConsumerNamesResponse);
    }

    private byte[] ConsumerListRequest(string[] t, byte[] body)
    {
        var req = Lenient(body, JsApiJsonContext.Default.PagedRequest);
        var all = ConsumersOf(t[2]);
        var offset = Math.Clamp(req.Offset, 0, all.Count);
        var resp = new ConsumerListResponse
        {
            Type = TypeOf("consumer_list_response"),
            Total = all.Count,
            Offset = offset,
            Limit = ListLimit,
            Consumers = [.. all.Skip(offset).Take(ListLimit).Select(c => c.Info())],
        };
        return JsonSerializer.SerializeToUtf8Bytes(resp, JsApiJsonContext.Default.ConsumerListResponse);
    }

    /// <summary>Opens the file streams and their consumers found in the store directory.</summary>
    private void Recover(string streamsDir)
    {
        foreach (var dir in Directory.EnumerateDirectories(streamsDir).Order(StringComparer.Ordinal))
        {
            var metaPath = Path.Combine(dir, "meta.json");
            if (!File.Exists(metaPath))
            {
                JsAccountLog.NoMeta(_logger, dir);
                continue;
            }
            try
            {
                var meta = JsonSerializer.Deserialize(File.ReadAllBytes(metaPath), JsJsonContext.Default.StreamMeta)!;
                lock (_gate)
                {
                    var entry = OpenStreamLocked(meta.Config, meta.Created, create: false);
                    _streams[meta.Config.Name] = entry;
                    var obsDir = Path.Combine(dir, "obs");
                    if (!Directory.Exists(obsDir))
                    {
                        continue;
                    }
                    foreach (var obs in Directory.EnumerateDirectories(obsDir).Order(StringComparer.Ordinal))
                    {
                        var consumerMeta = Path.Combine(obs, "meta.json");
                        if (!File.Exists(consumerMeta))
                        {
                            JsAccountLog.NoMeta(_logger, obs);
                            continue;
                        }
                        var cm = JsonSerializer.Deserialize(File.ReadAllBytes(consumerMeta), JsJsonContext.Default.ConsumerMeta)!;
                        var name = cm.Config.Name ?? cm.Config.Durable ?? Path.GetFileName(obs);
                        entry.Consumers[name] = OpenConsumerLocked(entry, name, cm.Config, cm.Created, null, create: false);
                    }
                    entry.ConsumersChanged();
                }
            }
            catch (Exception e) when (e is IOException or JsonException or JsApiException)
            {
                JsAccountLog.RecoverFailed(_logger, e, dir);
            }
        }
    }
}
