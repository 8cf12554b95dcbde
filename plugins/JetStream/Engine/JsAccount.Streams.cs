using System.Text.Json;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

public sealed partial class JsAccount
{
    private const int NamesLimit = 1024;
    private const int ListLimit = 256;

    private static StreamConfig DecodeStreamConfig(byte[] body) => JsJson.Decode(body, JsJsonContext.Default.StreamConfig);

    /// <summary>What this server does not build yet is refused, never silently ignored.</summary>
    private static void RefuseUnsupported(StreamConfig cfg)
    {
        static JsApiException No(string what) => new(JsErrors.StreamInvalidConfigF.With("err", what + " not supported by this server"));
        if (cfg.Mirror is { } mirror)
        {
            if (mirror.Consumer is not null)
            {
                throw No("mirrors with consumer settings are");
            }
            OriginTransforms.Check(mirror, mirror: true);
        }
        foreach (var source in cfg.Sources ?? [])
        {
            if (source.Consumer is not null)
            {
                throw No("sources with consumer settings are");
            }
            OriginTransforms.Check(source, mirror: false);
        }
        if (cfg.AllowMsgCounter)
        {
            throw No("message counters are");
        }
        if (cfg.AllowMsgSchedules)
        {
            throw No("message schedules are");
        }
        if (cfg.AllowAtomicPublish || cfg.AllowBatchPublish)
        {
            throw No("batch publishing is");
        }
        if (cfg.SubjectDeleteMarkerTtl > 0)
        {
            throw No("subject delete markers are");
        }
        if (cfg.Compression != Compression.None)
        {
            throw No("compression is");
        }
    }

    private byte[] StreamCreate(string[] t, byte[] body)
    {
        var name = t[2];
        var requested = DecodeStreamConfig(body);
        if (name != requested.Name)
        {
            throw new JsApiException(JsErrors.StreamMismatch);
        }
        if (name.AsSpan().IndexOfAny('\\', '/') >= 0)
        {
            throw new JsApiException(JsErrors.StreamNameContainsPathSeparators);
        }
        if (requested.Sealed)
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "stream configuration for create can not be sealed"));
        }
        if (requested.MirrorDirect && requested.Mirror is null)
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "stream has no mirror but does have mirror direct"));
        }
        var cfg = StreamConfigCheck.Check(requested);
        if (cfg.Replicas > 1)
        {
            throw new JsApiException(JsErrors.StreamReplicasNotSupported);
        }
        RefuseUnsupported(cfg);
        StreamEntry entry;
        var created = false;
        lock (_gate)
        {
            if (_streams.TryGetValue(name, out var existing))
            {
                if (!SameConfig(existing.Stream.Config, cfg))
                {
                    throw new JsApiException(JsErrors.StreamNameExist);
                }
                entry = existing;
            }
            else
            {
                if (_options.MaxStreams > 0 && _streams.Count >= _options.MaxStreams)
                {
                    throw new JsApiException(JsErrors.MaximumStreamsLimit);
                }
                if (cfg.MaxConsumers > 0 && _options.MaxConsumers > 0 && cfg.MaxConsumers > _options.MaxConsumers)
                {
                    throw new JsApiException(JsErrors.MaximumConsumersLimit);
                }
                CheckBytesLimitsLocked(cfg.MaxBytes, cfg.Storage);
                CheckOverlapLocked(cfg, except: null);
                entry = OpenStreamLocked(cfg, DateTime.UtcNow, create: true);
                _streams[name] = entry;
                RefreshReservationsLocked();
                LinkMirrorsLocked();
                created = true;
            }
        }
        if (created)
        {
            Advisories.StreamAction(_output, _options.Domain, name, "create");
        }
        var info = StreamInfoOf(entry, "stream_create_response", null);
        info.DidCreate = true;
        return JsonSerializer.SerializeToUtf8Bytes(info, JsApiJsonContext.Default.StreamInfo);
    }

    private static bool SameSources(List<StreamSource>? a, List<StreamSource>? b) =>
        (a ?? []).Count == (b ?? []).Count && (a ?? []).Zip(b ?? []).All(p => SameMirror(p.First, p.Second));

    private static bool SameMirror(StreamSource? a, StreamSource? b) =>
        a is null ? b is null : b is not null && JsonSerializer.Serialize(a, JsJsonContext.Default.StreamSource) == JsonSerializer.Serialize(b, JsJsonContext.Default.StreamSource);

    /// <summary>
    /// Points every mirror and source at its origin as the streams are now (call after any stream
    /// create or delete); one of another account (<c>external</c>) is followed over subjects.
    /// </summary>
    private void LinkMirrorsLocked()
    {
        foreach (var e in _streams.Values)
        {
            OriginLink?[] links = [e.Mirror, .. e.Sources];
            foreach (var link in links)
            {
                if (link is null)
                {
                    continue;
                }
                if (link.IsExternal)
                {
                    link.AttachExternal(_output);
                }
                else
                {
                    link.Attach(_streams.TryGetValue(link.OriginName, out var origin) ? origin.Stream : null);
                }
            }
        }
    }

    private static bool SameRePublish(RePublish? a, RePublish? b) =>
        a is null ? b is null : b is not null && a.Source == b.Source && a.Destination == b.Destination && a.HeadersOnly == b.HeadersOnly;

    private static bool SameConfig(StreamConfig a, StreamConfig b) =>
        JsonSerializer.Serialize(a, JsJsonContext.Default.StreamConfig) == JsonSerializer.Serialize(b, JsJsonContext.Default.StreamConfig);

    private void CheckOverlapLocked(StreamConfig cfg, string? except)
    {
        foreach (var (other, entry) in _streams)
        {
            if (other == except)
            {
                continue;
            }
            foreach (var a in cfg.Subjects ?? [])
            {
                foreach (var b in entry.Stream.Config.Subjects ?? [])
                {
                    if (SubjectMatch.Overlaps(a, b))
                    {
                        throw new JsApiException(JsErrors.StreamSubjectOverlap);
                    }
                }
            }
        }
    }

    /// <summary>Opens the store and the stream; a new file stream gets its directory and meta.json.</summary>
    private StreamEntry OpenStreamLocked(StreamConfig cfg, DateTime created, bool create)
    {
        MessageStore store;
        string? dir = null;
        if (cfg.Storage == Api.Storage.File)
        {
            if (_options.StoreDirectory is null)
            {
                throw new JsApiException(JsErrors.InsufficientResources);
            }
            dir = Path.Combine(_options.StoreDirectory, "streams", cfg.Name);
            if (create)
            {
                Directory.CreateDirectory(dir);
                NativeSync.SyncDirectory(Path.GetDirectoryName(dir)!);
                WriteStreamMeta(dir, cfg, created);
            }
            store = FileStore.Open(new FileStoreOptions { Directory = dir, Sync = _options.Sync, SyncInterval = _options.SyncInterval },
                StreamConfigCheck.ToStoreLimits(cfg), _logger);
        }
        else
        {
            store = new MemoryStore(StreamConfigCheck.ToStoreLimits(cfg), _logger);
        }
        store.AttachUsage(UsageOf(cfg.Storage));
        var entry = new StreamEntry(new JsStream(cfg, store, _output, _options.Domain), created, dir);
        if (cfg.Mirror is { } source)
        {
            entry.Mirror = new MirrorLink(entry.Stream, source);
        }
        entry.Sources = [.. (cfg.Sources ?? []).Select(s => new SourceLink(entry.Stream, s))];
        entry.Stream.InterestIn = entry.AnyConsumerTakes;
        return entry;
    }

    private static void WriteStreamMeta(string dir, StreamConfig cfg, DateTime created) =>
        WriteAtomic(Path.Combine(dir, "meta.json"), JsonSerializer.SerializeToUtf8Bytes(new StreamMeta { Created = created, Config = cfg }, JsJsonContext.Default.StreamMeta));

    private byte[] StreamUpdate(string[] t, byte[] body)
    {
        var name = t[2];
        var requested = DecodeStreamConfig(body);
        if (name != requested.Name)
        {
            throw new JsApiException(JsErrors.StreamMismatch);
        }
        var cfg = StreamConfigCheck.Check(requested);
        StreamEntry entry;
        lock (_gate)
        {
            if (!_streams.TryGetValue(name, out entry!))
            {
                throw new JsApiException(JsErrors.StreamNotFound);
            }
            var old = entry.Stream.Config;
            CheckUpdate(old, cfg);
            RefuseUnsupported(cfg);
            CheckOverlapLocked(cfg, except: name);
            // As nats-server's update: only growth of max_bytes is reserved again.
            CheckBytesLimitsLocked(Math.Max(0, cfg.MaxBytes - old.MaxBytes), cfg.Storage);
            if (entry.Directory is { } dir)
            {
                WriteStreamMeta(dir, cfg, entry.Created);
            }
            entry.Stream.Update(cfg);
            RefreshReservationsLocked();
            if (!SameSources(old.Sources, cfg.Sources))
            {
                // Each new link finds where it stopped from the stream's own messages.
                entry.Sources.ForEach(s => s.Dispose());
                entry.Sources = [.. (cfg.Sources ?? []).Select(s => new SourceLink(entry.Stream, s))];
                LinkMirrorsLocked();
            }
            foreach (var c in entry.Consumers.Values)
            {
                c.StreamChanged();
            }
        }
        Advisories.StreamAction(_output, _options.Domain, name, "modify");
        return JsonSerializer.SerializeToUtf8Bytes(StreamInfoOf(entry, "stream_update_response", null), JsApiJsonContext.Default.StreamInfo);
    }

    /// <summary>nats-server's configUpdateCheck: what an update may not change.</summary>
    private static void CheckUpdate(StreamConfig old, StreamConfig cfg)
    {
        static JsApiException Invalid(string text) => new(JsErrors.StreamInvalidConfigF.With("err", text));
        if (cfg.Replicas > 1)
        {
            throw new JsApiException(JsErrors.StreamReplicasNotSupported);
        }
        if (!SameMirror(cfg.Mirror, old.Mirror))
        {
            throw new JsApiException(JsErrors.StreamMirrorNotUpdatable);
        }
        if (!SameRePublish(cfg.RePublish, old.RePublish))
        {
            throw Invalid("stream configuration update can not change RePublish");
        }
        if (cfg.Storage != old.Storage)
        {
            throw Invalid("stream configuration update can not change storage type");
        }
        if (cfg.Retention != old.Retention && (old.Retention == RetentionPolicy.WorkQueue || cfg.Retention == RetentionPolicy.WorkQueue))
        {
            throw Invalid("stream configuration update can not change retention policy to/from workqueue");
        }
        if (!cfg.Sealed && old.Sealed)
        {
            throw Invalid("stream configuration update can not unseal a sealed stream");
        }
        if (!cfg.DenyDelete && old.DenyDelete)
        {
            throw Invalid("stream configuration update can not cancel deny message deletes");
        }
        if (!cfg.DenyPurge && old.DenyPurge)
        {
            throw Invalid("stream configuration update can not cancel deny purge");
        }
        if (old.AllowMsgTtl && !cfg.AllowMsgTtl)
        {
            throw Invalid("message TTL status can not be disabled");
        }
    }

    private byte[] StreamDelete(string[] t, byte[] body)
    {
        StreamEntry? entry;
        lock (_gate)
        {
            if (!_streams.Remove(t[2], out entry))
            {
                throw new JsApiException(JsErrors.StreamNotFound);
            }
            RefreshReservationsLocked();
            entry.Mirror?.Dispose();
            entry.Sources.ForEach(s => s.Dispose());
            LinkMirrorsLocked();
        }
        foreach (var c in entry.Consumers.Values)
        {
            c.Close(deleted: true);
            Advisories.ConsumerAction(_output, _options.Domain, t[2], c.Name, "delete");
        }
        Advisories.StreamAction(_output, _options.Domain, t[2], "delete");
        if (entry.Stream.Store is FileStore file)
        {
            file.Delete();
            if (entry.Directory is { } dir && Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        else
        {
            entry.Stream.Dispose();
        }
        return JsonSerializer.SerializeToUtf8Bytes(new SuccessResponse { Type = TypeOf("stream_delete_response"), Success = true }, JsApiJsonContext.Default.SuccessResponse);
    }

    private StreamEntry Entry(string name)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(name, out var e) ? e : throw new JsApiException(JsErrors.StreamNotFound);
        }
    }

    private byte[] StreamInfoRequest(string[] t, byte[] body)
    {
        var entry = Entry(t[2]);
        var req = Lenient(body, JsApiJsonContext.Default.PagedRequest);
        var info = StreamInfoOf(entry, "stream_info_response", req);
        return JsonSerializer.SerializeToUtf8Bytes(info, JsApiJsonContext.Default.StreamInfo);
    }

    private StreamInfo StreamInfoOf(StreamEntry entry, string kind, PagedRequest? req)
    {
        var store = entry.Stream.Store;
        // What readers can see: a message whose publish is not durable (not acknowledged) yet is not counted.
        var st = store.VisibleState();
        int consumers;
        lock (_gate)
        {
            consumers = entry.Consumers.Count;
        }
        var state = new StreamStateInfo
        {
            Msgs = st.Msgs,
            Bytes = st.Bytes,
            FirstSeq = st.FirstSeq,
            FirstTime = FromUnixNanos(st.FirstTime),
            LastSeq = st.LastSeq,
            LastTime = FromUnixNanos(st.LastTime),
            NumSubjects = st.NumSubjects,
            NumDeleted = (int)st.NumDeleted,
            Consumers = consumers,
        };
        var info = new StreamInfo
        {
            Type = TypeOf(kind),
            Config = entry.Stream.Config,
            Created = entry.Created,
            State = state,
            Domain = _options.Domain,
            Mirror = entry.Mirror?.Info(),
            Sources = entry.Sources.Count > 0 ? [.. entry.Sources.Select(s => s.Info())] : null,
            TimeStamp = DateTime.UtcNow,
        };
        if (req is not null)
        {
            info.Total = 0;
            info.Offset = 0;
            info.Limit = 0;
            if (req.DeletedDetails)
            {
                state.Deleted = store.DeletedSequences();
            }
            if (req.SubjectsFilter is { Length: > 0 } filter)
            {
                var all = store.SubjectsTotals(SubjectFilter.Of(filter == ">" ? null : filter));
                var keys = all.Keys.Order(StringComparer.Ordinal).ToList();
                var offset = Math.Clamp(req.Offset, 0, keys.Count);
                var page = keys.Skip(offset).Take(100_000).ToList();
                state.Subjects = page.ToDictionary(k => k, k => all[k], StringComparer.Ordinal);
                info.Total = keys.Count;
                info.Offset = offset;
                info.Limit = 100_000;
            }
        }
        return info;
    }

    internal static DateTime FromUnixNanos(long ns) => ns <= 0 ? default : DateTime.UnixEpoch.AddTicks(ns / 100);

    private List<StreamEntry> StreamsMatching(string? subject)
    {
        lock (_gate)
        {
            return [.. _streams.Values
                .Where(e => string.IsNullOrEmpty(subject) || (e.Stream.Config.Subjects ?? []).Any(s => SubjectMatch.Overlaps(s, subject)))
                .OrderBy(e => e.Stream.Name, StringComparer.Ordinal)];
        }
    }

    private byte[] StreamNamesRequest(string[] t, byte[] body)
    {
        var req = Lenient(body, JsApiJsonContext.Default.PagedRequest);
        var all = StreamsMatching(req.Subject);
        var offset = Math.Clamp(req.Offset, 0, all.Count);
        List<string> page = [.. all.Skip(offset).Take(NamesLimit).Select(e => e.Stream.Name)];
        var resp = new StreamNamesResponse
        {
            Type = TypeOf("stream_names_response"),
            Total = all.Count,
            Offset = offset,
            Limit = NamesLimit,
            Streams = page.Count == 0 ? null : page,
        };
        return JsonSerializer.SerializeToUtf8Bytes(resp, JsApiJsonContext.Default.StreamNamesResponse);
    }

    private byte[] StreamListRequest(string[] t, byte[] body)
    {
        var req = Lenient(body, JsApiJsonContext.Default.PagedRequest);
        var all = StreamsMatching(req.Subject);
        var offset = Math.Clamp(req.Offset, 0, all.Count);
        var resp = new StreamListResponse
        {
            Type = TypeOf("stream_list_response"),
            Total = all.Count,
            Offset = offset,
            Limit = ListLimit,
        };
        foreach (var e in all.Skip(offset).Take(ListLimit))
        {
            var info = StreamInfoOf(e, "", null);
            info.Type = null;
            resp.Streams.Add(info);
        }
        return JsonSerializer.SerializeToUtf8Bytes(resp, JsApiJsonContext.Default.StreamListResponse);
    }

    private byte[] StreamPurge(string[] t, byte[] body)
    {
        var entry = Entry(t[2]);
        var cfg = entry.Stream.Config;
        if (cfg.Sealed)
        {
            throw new JsApiException(JsErrors.StreamSealed);
        }
        if (cfg.DenyPurge)
        {
            throw new JsApiException(JsErrors.StreamPurgeFailedF.With("err", "stream purge not permitted"));
        }
        var req = Lenient(body, JsApiJsonContext.Default.PurgeRequest);
        if (req.Sequence > 0 && req.Keep > 0)
        {
            throw new JsApiException(JsErrors.BadRequest);
        }
        var store = entry.Stream.Store;
        var purged = string.IsNullOrEmpty(req.Subject) && req.Sequence == 0 && req.Keep == 0
            ? store.Purge()
            : store.PurgeEx(req.Subject, req.Sequence, req.Keep);
        NotifyConsumers(entry);
        return JsonSerializer.SerializeToUtf8Bytes(new PurgeResponse { Type = TypeOf("stream_purge_response"), Success = true, Purged = purged },
            JsApiJsonContext.Default.PurgeResponse);
    }

    private void NotifyConsumers(StreamEntry entry)
    {
        List<Consumers.JsConsumer> consumers;
        lock (_gate)
        {
            consumers = [.. entry.Consumers.Values];
        }
        var first = entry.Stream.Store.State().FirstSeq;
        foreach (var c in consumers)
        {
            c.Purged(first);
        }
    }

    private byte[] MsgGet(string[] t, byte[] body)
    {
        var entry = Entry(t[3]);
        if (body.AsSpan().Trim(" \t\r\n"u8).Length == 0)
        {
            throw new JsApiException(JsErrors.BadRequest);
        }
        var req = Lenient(body, JsApiJsonContext.Default.MsgGetRequest);
        var hasLast = !string.IsNullOrEmpty(req.LastFor);
        var hasNext = !string.IsNullOrEmpty(req.NextFor);
        if ((req.Sequence > 0 && hasLast) || (req.Sequence == 0 && !hasLast && !hasNext) || (hasLast && hasNext))
        {
            throw new JsApiException(JsErrors.BadRequest);
        }
        var store = entry.Stream.Store;
        var msg = new StoredMessage();
        var found = hasLast ? store.LoadLast(SubjectFilter.Of(req.LastFor), msg) != 0
            : hasNext ? store.LoadNext(SubjectFilter.Of(req.NextFor), Math.Max(1, req.Sequence), msg) != 0
            : store.TryLoad(req.Sequence, msg);
        if (!found)
        {
            throw new JsApiException(JsErrors.NoMessageFound);
        }
        var resp = new MsgGetResponse
        {
            Type = TypeOf("stream_msg_get_response"),
            Message = new StoredMsgInfo
            {
                Subject = msg.Subject,
                Sequence = msg.Sequence,
                Header = msg.Headers.Length > 0 ? msg.Headers.ToArray() : null,
                Data = msg.Payload.Length > 0 ? msg.Payload.ToArray() : null,
                Time = FromUnixNanos(msg.Timestamp),
            },
        };
        return JsonSerializer.SerializeToUtf8Bytes(resp, JsApiJsonContext.Default.MsgGetResponse);
    }

    private byte[] MsgDelete(string[] t, byte[] body)
    {
        var entry = Entry(t[3]);
        var cfg = entry.Stream.Config;
        if (cfg.Sealed)
        {
            throw new JsApiException(JsErrors.StreamSealed);
        }
        if (cfg.DenyDelete)
        {
            throw new JsApiException(JsErrors.StreamMsgDeleteFailedF.With("err", "message delete not permitted"));
        }
        if (body.AsSpan().Trim(" \t\r\n"u8).Length == 0)
        {
            throw new JsApiException(JsErrors.BadRequest);
        }
        var req = Lenient(body, JsApiJsonContext.Default.MsgDeleteRequest);
        var store = entry.Stream.Store;
        var removed = req.NoErase ? store.Remove(req.Sequence) : store.Erase(req.Sequence);
        if (!removed)
        {
            // nats-server's file store errors for a sequence outside its blocks; otherwise (and
            // always for memory) "sequence N not found".
            var st = store.State();
            if (store.Type == StorageType.File && (req.Sequence == 0 || req.Sequence > st.LastSeq || req.Sequence < st.FirstSeq))
            {
                throw new JsApiException(JsErrors.StreamMsgDeleteFailedF.With("err", req.Sequence > st.LastSeq ? "stream store EOF" : "no message found"));
            }
            throw new JsApiException(JsErrors.SequenceNotFound.With("seq", req.Sequence));
        }
        NotifyConsumers(entry);
        return JsonSerializer.SerializeToUtf8Bytes(new SuccessResponse { Type = TypeOf("stream_msg_delete_response"), Success = true },
            JsApiJsonContext.Default.SuccessResponse);
    }
}
