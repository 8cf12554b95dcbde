using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.JetStream.Api;
using Nats.JetStream.Engine.Consumers;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// One account's JetStream: its streams and their consumers, the <c>$JS.API</c> requests
/// (<see cref="HandleApi"/>), acks and flow control replies (<see cref="HandleAck"/>,
/// <see cref="HandleFlowControl"/>) and published messages (<see cref="HandlePublish"/>), all
/// independent of how they arrive. File streams and their consumers are recovered from
/// <see cref="JsAccountOptions.StoreDirectory"/> at construction. Thread safety: <c>_gate</c>
/// owns the stream and consumer maps; streams and consumers have their own locks, taken after it
/// or without it, never the other way round.
/// </summary>
public sealed partial class JsAccount : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, StreamEntry> _streams = new(StringComparer.Ordinal);
    private readonly JsAccountOptions _options;
    private readonly IJetStreamOutput _output;
    private readonly ILogger _logger;
    private ulong _apiTotal;
    private ulong _apiErrors;
    private bool _closed;

    /// <summary>An account's JetStream with <paramref name="options"/>; what it publishes goes to <paramref name="output"/>.</summary>
    public JsAccount(JsAccountOptions options, IJetStreamOutput output, ILogger? logger = null)
    {
        _options = options;
        _output = output;
        _logger = logger ?? NullLogger.Instance;
        if (options.StoreDirectory is { } dir)
        {
            Directory.CreateDirectory(Path.Combine(dir, "streams"));
            Recover(Path.Combine(dir, "streams"));
        }
        lock (_gate)
        {
            RefreshReservationsLocked();
            LinkMirrorsLocked();
        }
    }

    /// <summary>A stream with its consumers (the map is guarded by the account's lock).</summary>
    private sealed class StreamEntry(JsStream stream, DateTime created, string? directory)
    {
        public JsStream Stream { get; } = stream;
        public DateTime Created { get; } = created;
        public string? Directory { get; } = directory;
        public Dictionary<string, JsConsumer> Consumers { get; } = new(StringComparer.Ordinal);

        /// <summary>The copy from the origin when this stream is a mirror.</summary>
        public MirrorLink? Mirror { get; set; }

        /// <summary>The copies from each of the stream's sources.</summary>
        public List<SourceLink> Sources { get; set; } = [];

        /// <summary>The consumers' filters (empty filter: everything), replaced whole under the account's lock and read without it.</summary>
        private volatile SubjectFilter[] _filters = [];

        public bool AnyConsumerTakes(string subject)
        {
            foreach (var f in _filters)
            {
                if (f.Matches(subject))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Call after every change of <see cref="Consumers"/> (under the account's lock).</summary>
        public void ConsumersChanged() =>
            _filters = [.. Consumers.Values.Select(c => new SubjectFilter(ConsumerConfigCheck.Filters(c.Config)))];
    }

    /// <summary>The account's stream names.</summary>
    public IReadOnlyList<string> StreamNames()
    {
        lock (_gate)
        {
            return [.. _streams.Keys.Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>The stream called <paramref name="name"/>, or null.</summary>
    public JsStream? FindStream(string name)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(name, out var e) ? e.Stream : null;
        }
    }

    /// <summary>The consumer <paramref name="consumer"/> of stream <paramref name="stream"/>, or null.</summary>
    public JsConsumer? FindConsumer(string stream, string consumer)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(stream, out var e) && e.Consumers.TryGetValue(consumer, out var c) ? c : null;
        }
    }

    /// <summary>
    /// Stores a message published on a subject one of the streams listens on (pub ack or error to
    /// <paramref name="reply"/>). False when no stream captures <paramref name="subject"/>.
    /// </summary>
    public bool HandlePublish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        JsStream? target = null;
        lock (_gate)
        {
            foreach (var entry in _streams.Values)
            {
                foreach (var s in entry.Stream.Config.Subjects ?? [])
                {
                    if (SubjectMatch.Matches(subject, s))
                    {
                        target = entry.Stream;
                        break;
                    }
                }
                if (target is not null)
                {
                    break;
                }
            }
        }
        if (target is null)
        {
            return false;
        }
        target.ProcessMessage(subject, reply, headers, payload);
        return true;
    }

    /// <summary>
    /// A subscription on <paramref name="subject"/> appeared: push consumers delivering to a subject
    /// it matches deliver what waited for interest (nats-server's deliver-interest update), instead
    /// of waiting for the next message or ack deadline.
    /// </summary>
    public void OnInterest(string subject)
    {
        List<JsConsumer>? kick = null;
        lock (_gate)
        {
            foreach (var entry in _streams.Values)
            {
                foreach (var consumer in entry.Consumers.Values)
                {
                    if (consumer.Config.DeliverSubject is { Length: > 0 } deliver && SubjectMatch.Matches(deliver, subject))
                    {
                        (kick ??= []).Add(consumer);
                    }
                }
            }
        }
        foreach (var consumer in kick ?? [])
        {
            consumer.Kick();
        }
    }

    /// <summary>An ack on <c>$JS.ACK.…</c>; false when the subject names no consumer here.</summary>
    public bool HandleAck(string subject, string? reply, ReadOnlySpan<byte> body)
    {
        if (!AckSubject.TryParse(subject, out var ack) || FindConsumer(ack.Stream, ack.Consumer) is not { } consumer)
        {
            return false;
        }
        consumer.HandleAck(ack, reply, body);
        return true;
    }

    /// <summary>A flow control reply on <c>$JS.FC.&lt;stream&gt;.&lt;consumer&gt;.&lt;id&gt;</c>.</summary>
    public bool HandleFlowControl(string subject)
    {
        var tokens = subject.Split('.');
        if (tokens.Length != 5 || tokens[0] != "$JS" || tokens[1] != "FC" || FindConsumer(tokens[2], tokens[3]) is not { } consumer)
        {
            return false;
        }
        consumer.HandleFlowControl(subject);
        return true;
    }

    /// <summary>
    /// A request on <c>$JS.API.&gt;</c>: returns the JSON response nats-server sends (with its
    /// error codes), or null when nats-server sends none (pull requests, which answer with
    /// deliveries and statuses through the output, and unknown subjects).
    /// </summary>
    public byte[]? HandleApi(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> body)
    {
        const string prefix = "$JS.API.";
        if (!subject.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var tokens = subject[prefix.Length..].Split('.');
        if (tokens.Length >= 5 && tokens[0] == "CONSUMER" && tokens[1] == "MSG" && tokens[2] == "NEXT")
        {
            if (reply is not null && FindConsumer(tokens[3], tokens[4]) is { } puller)
            {
                puller.HandlePullRequest(reply, body);
            }
            return null;
        }
        Interlocked.Increment(ref _apiTotal);
        var (kind, handler) = Route(tokens);
        if (handler is null)
        {
            Interlocked.Decrement(ref _apiTotal);
            return null;
        }
        byte[] response;
        try
        {
            response = handler(this, tokens, body.ToArray());
        }
        catch (JsApiException e)
        {
            Interlocked.Increment(ref _apiErrors);
            response = ErrorResponses.For(kind, e.Error);
        }
        Advisories.ApiAudit(_output, _options.Domain, _options.ServerName, _options.AccountName, subject, body, response);
        return response;
    }

    /// <summary>
    /// The API request a subject's tokens (after <c>$JS.API.</c>) name: the kind of its response
    /// (<c>stream_create_response</c>…) and its handler; an empty kind and no handler for a subject
    /// nats-server does not answer. Static, so an account without JetStream answers with the same
    /// response kinds (<see cref="Server.NotEnabledResponder"/>).
    /// </summary>
    internal static (string Kind, Func<JsAccount, string[], byte[], byte[]>? Handler) Route(string[] t) => t switch
    {
        ["INFO"] => ("account_info_response", static (a, _, _) => a.AccountInfo()),
        ["STREAM", "CREATE", _] => ("stream_create_response", static (a, t, b) => a.StreamCreate(t, b)),
        ["STREAM", "UPDATE", _] => ("stream_update_response", static (a, t, b) => a.StreamUpdate(t, b)),
        ["STREAM", "DELETE", _] => ("stream_delete_response", static (a, t, b) => a.StreamDelete(t, b)),
        ["STREAM", "INFO", _] => ("stream_info_response", static (a, t, b) => a.StreamInfoRequest(t, b)),
        ["STREAM", "NAMES"] => ("stream_names_response", static (a, t, b) => a.StreamNamesRequest(t, b)),
        ["STREAM", "LIST"] => ("stream_list_response", static (a, t, b) => a.StreamListRequest(t, b)),
        ["STREAM", "PURGE", _] => ("stream_purge_response", static (a, t, b) => a.StreamPurge(t, b)),
        ["STREAM", "MSG", "GET", _] => ("stream_msg_get_response", static (a, t, b) => a.MsgGet(t, b)),
        ["STREAM", "MSG", "DELETE", _] => ("stream_msg_delete_response", static (a, t, b) => a.MsgDelete(t, b)),
        ["CONSUMER", "CREATE", _, ..] => ("consumer_create_response", static (a, t, b) => a.ConsumerCreate(t, b)),
        ["CONSUMER", "DURABLE", "CREATE", ..] => ("consumer_create_response", static (a, t, b) => a.ConsumerCreate(t, b)),
        ["CONSUMER", "DELETE", _, _] => ("consumer_delete_response", static (a, t, b) => a.ConsumerDelete(t, b)),
        ["CONSUMER", "INFO", _, _] => ("consumer_info_response", static (a, t, b) => a.ConsumerInfoRequest(t, b)),
        ["CONSUMER", "NAMES", _] => ("consumer_names_response", static (a, t, b) => a.ConsumerNamesRequest(t, b)),
        ["CONSUMER", "LIST", _] => ("consumer_list_response", static (a, t, b) => a.ConsumerListRequest(t, b)),
        ["CONSUMER", "PAUSE", _, _] => ("consumer_pause_response", static (a, t, b) => a.ConsumerPause(t, b)),
        _ => ("", null),
    };

    private static string TypeOf(string kind) => "io.nats.jetstream.api.v1." + kind;

    private byte[] AccountInfo()
    {
        ulong memory = 0, store = 0;
        int streams, consumers = 0;
        lock (_gate)
        {
            streams = _streams.Count;
            foreach (var e in _streams.Values)
            {
                consumers += e.Consumers.Count;
                var bytes = e.Stream.Store.State().Bytes;
                if (e.Stream.Store.Type == StorageType.Memory)
                {
                    memory += bytes;
                }
                else
                {
                    store += bytes;
                }
            }
        }
        var info = new AccountInfoResponse
        {
            Type = TypeOf("account_info_response"),
            Memory = memory,
            Store = store,
            Streams = streams,
            Consumers = consumers,
            Domain = _options.Domain,
            Limits = new AccountLimitsInfo
            {
                MaxMemory = _options.MaxMemory,
                MaxStore = _options.MaxStore,
                MaxStreams = _options.MaxStreams,
                MaxConsumers = _options.MaxConsumers,
            },
            Api = new ApiStats { Total = Interlocked.Read(ref _apiTotal), Errors = Interlocked.Read(ref _apiErrors) },
        };
        return JsonSerializer.SerializeToUtf8Bytes(info, JsApiJsonContext.Default.AccountInfoResponse);
    }

    /// <summary>
    /// Decodes an optional lenient request body (empty: defaults). A bad one is a plain "invalid
    /// JSON", without the parser's detail, as nats-server 2.9.10 answers paging, purge, message
    /// get and delete requests (checked live).
    /// </summary>
    private static T Lenient<T>(byte[] body, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : new()
    {
        if (body.AsSpan().Trim(" \t\r\n"u8).Length == 0)
        {
            return new T();
        }
        try
        {
            return JsonSerializer.Deserialize(body, type) ?? new T();
        }
        catch (JsonException)
        {
            throw new JsApiException(JsErrors.InvalidJSONPlain);
        }
    }

    /// <summary>Writes a file atomically (temporary file, fdatasync, rename, directory sync).</summary>
    internal static void WriteAtomic(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        using (var handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(handle, bytes, 0);
            NativeSync.DataSync(handle);
        }
        File.Move(temp, path, overwrite: true);
        NativeSync.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>Stops every stream and consumer of the account, keeping what they stored.</summary>
    public void Dispose()
    {
        List<StreamEntry> entries;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            _closed = true;
            RefreshReservationsLocked();
            entries = [.. _streams.Values];
            _streams.Clear();
        }
        foreach (var e in entries)
        {
            e.Mirror?.Dispose();
            e.Sources.ForEach(s => s.Dispose());
            foreach (var c in e.Consumers.Values)
            {
                c.Close(deleted: false);
            }
            e.Stream.Dispose();
        }
    }

    private static string Text(byte[] utf8) => Encoding.UTF8.GetString(utf8);
}
