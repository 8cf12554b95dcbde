using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Nats.Core.Accounts;
using Nats.Core.Plugins;

namespace Nats.Mqtt.Store;

/// <summary>
/// JetStream as an MQTT account sees it: requests on <c>$JS.API.*</c> (or <c>$JS.&lt;domain&gt;.API.*</c>)
/// and stores on stream subjects, sent from an in-process connection of the account, with the
/// replies on <c>$MQTT.JSA.&lt;id&gt;.&lt;n&gt;</c> (nats-server's reply prefix). Nothing of the
/// JetStream plugin is referenced: it is reached over subjects only, as any client would.
/// </summary>
/// <remarks>
/// Thread safety: any task may send; replies arrive on the connection's subscription task and
/// complete the waiting task (continuations run asynchronously, never on that task).
/// </remarks>
internal sealed class JsApi : IAsyncDisposable
{
    private readonly IInProcessConnection _connection;
    private readonly string _apiPrefix;
    private readonly string _replyPrefix;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<InProcessReply>> _pending = new();
    private readonly IDisposable _replies;
    private long _next;

    public JsApi(IServerContext context, Account account, string? domain, TimeSpan timeout)
    {
        _connection = context.Connect(account);
        _apiPrefix = string.IsNullOrEmpty(domain) ? "$JS.API." : "$JS." + domain + ".API.";
        _replyPrefix = "$MQTT.JSA." + Nuid.Next() + ".";
        Timeout = timeout;
        _replies = _connection.Subscribe(_replyPrefix + "*", null, OnReply);
    }

    /// <summary>How long a request may wait for its answer (<c>js_api_timeout</c>).</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The account's in-process connection (deliver subjects are subscribed on it).</summary>
    public IInProcessConnection Connection => _connection;

    /// <summary>Publishes with a reply subject and waits for the answer (a pub ack, an API response).</summary>
    /// <exception cref="TimeoutException">No answer within <see cref="Timeout"/>.</exception>
    public Task<InProcessReply> SendAsync(string subject, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var id = Interlocked.Increment(ref _next);
        var waiter = new TaskCompletionSource<InProcessReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = waiter;
        _connection.Publish(subject, payload, _replyPrefix + id.ToString(CultureInfo.InvariantCulture), headers);
        return WaitAsync(id, waiter.Task);
    }

    private async Task<InProcessReply> WaitAsync(long id, Task<InProcessReply> answer)
    {
        try
        {
            return await answer.WaitAsync(Timeout).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>A <c>$JS.API</c> request; the response's root, or <see cref="JsApiException"/> for its error.</summary>
    public async Task<JsonElement> RequestAsync(string api, ReadOnlyMemory<byte> body)
    {
        var reply = await SendAsync(_apiPrefix + api, default, body.Span).ConfigureAwait(false);
        return Parse(reply.Payload);
    }

    /// <summary>Stores a message on a stream subject; the stream sequence, or <see cref="JsApiException"/>.</summary>
    public async Task<ulong> StoreAsync(string subject, ReadOnlyMemory<byte> headers, ReadOnlyMemory<byte> payload)
    {
        var reply = await SendAsync(subject, headers.Span, payload.Span).ConfigureAwait(false);
        return PubAckSequence(reply);
    }

    /// <summary>The sequence of a pub ack, or <see cref="JsApiException"/> for its error.</summary>
    public static ulong PubAckSequence(InProcessReply reply)
    {
        if (reply.Payload.Length == 0)
        {
            // A status (503 no responders): nothing stored the message.
            throw new JsApiException(503, 0, "no JetStream stream answered");
        }
        // A QoS 1 PUBLISH waits for one of these: an ack without an error is read in place,
        // without building a document.
        if (reply.Payload.Span.IndexOf("\"error\""u8) < 0 && TryReadSequence(reply.Payload.Span, out var sequence))
        {
            return sequence;
        }
        var root = Parse(reply.Payload);
        return root.TryGetProperty("seq", out var seq) ? seq.GetUInt64() : 0;
    }

    /// <summary>The top-level <c>seq</c> of a pub ack (0 when it has none); false when it is not JSON.</summary>
    private static bool TryReadSequence(ReadOnlySpan<byte> json, out ulong sequence)
    {
        sequence = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8))
                {
                    return reader.Read() && reader.TryGetUInt64(out sequence);
                }
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static JsonElement Parse(ReadOnlyMemory<byte> json)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new JsApiException(500, 0, "invalid JetStream response: " + e.Message);
        }
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            throw new JsApiException(
                error.TryGetProperty("code", out var code) ? code.GetInt32() : 500,
                error.TryGetProperty("err_code", out var errCode) ? errCode.GetInt32() : 0,
                error.TryGetProperty("description", out var text) ? text.GetString() ?? "" : "");
        }
        return root;
    }

    /// <summary>Publishes without waiting (acks and NAKs to <c>$JS.ACK.…</c>).</summary>
    public void Publish(string subject, ReadOnlySpan<byte> payload = default) => _connection.Publish(subject, payload);

    private ValueTask OnReply(InProcessMessage message)
    {
        var subject = message.Subject;
        if (long.TryParse(subject.AsSpan(_replyPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) &&
            _pending.TryRemove(id, out var waiter))
        {
            waiter.TrySetResult(new InProcessReply(message.Headers, message.Payload));
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _replies.Dispose();
        await _connection.DisposeAsync().ConfigureAwait(false);
        foreach (var waiter in _pending.Values)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(JsApi)));
        }
    }
}

/// <summary>The answer to a request: its header block (a status, say) and payload.</summary>
internal readonly record struct InProcessReply(ReadOnlyMemory<byte> Headers, ReadOnlyMemory<byte> Payload);

/// <summary>A JetStream API or pub ack error (<c>code</c>, <c>err_code</c>, <c>description</c>).</summary>
internal sealed class JsApiException(int code, int errCode, string description) : InvalidOperationException(description)
{
    public int Code { get; } = code;

    public int ErrCode { get; } = errCode;
}
