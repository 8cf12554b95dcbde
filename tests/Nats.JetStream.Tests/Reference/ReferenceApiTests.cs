using System.Text;
using System.Text.Json;
using Nats.JetStream.Storage;
using Nats.JetStream.Tests.Engine;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// The same $JS.API requests sent to the reference nats-server (2.9.10, <c>-js</c>) over the wire
/// and to <c>JsAccount.HandleApi</c>: the error codes, texts and pull statuses must agree.
/// </summary>
[CancelAfter(60_000)]
public sealed class ReferenceApiTests
{
    private ReferenceServer? _server;
    private RawClient? _client;
    private AccountHarness _h = null!;
    private string _storeDir = null!;
    private int _inbox;

    /// <summary>Messages read while waiting for a reply, kept for <see cref="NextAsync"/>.</summary>
    private readonly Queue<ServerFrame> _other = new();

    private async Task<ServerFrame> NextAsync(string subject)
    {
        var kept = _other.FirstOrDefault(f => f.Subject == subject || f.Subject.StartsWith("q.", StringComparison.Ordinal));
        if (kept is not null)
        {
            var rest = _other.Where(f => f != kept).ToList();
            _other.Clear();
            rest.ForEach(_other.Enqueue);
            return kept;
        }
        return await _client!.ReadMessageAsync();
    }

    [SetUp]
    public async Task SetUp()
    {
        ReferenceServer.RequireInstalled();
        var port = FreePorts.Take();
        _storeDir = Directory.CreateTempSubdirectory("refjs").FullName;
        _server = await ReferenceServer.StartAsync($"port: {port}\njetstream {{ store_dir: \"{_storeDir}\" }}\n", port);
        _client = await RawClient.ConnectAndHandshakeAsync(port);
        _client.AnswerPings = true;
        await _client.SendAsync("SUB _INBOX.> 1\r\nPING\r\n");
        await _client.ExpectLineAsync("PONG");
        _h = new AccountHarness(StorageType.File);
    }

    [TearDown]
    public async Task TearDown()
    {
        _h?.Dispose();
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(_storeDir, recursive: true);
    }

    private async Task<ServerFrame> RequestAsync(string subject, string body)
    {
        var reply = "_INBOX.r" + Interlocked.Increment(ref _inbox);
        var bytes = Encoding.UTF8.GetBytes(body);
        await _client!.SendAsync($"PUB {subject} {reply} {bytes.Length}\r\n{body}\r\n");
        while (true)
        {
            var frame = await _client.ReadMessageAsync();
            if (frame.Subject == reply)
            {
                return frame;
            }
            _other.Enqueue(frame);
        }
    }

    /// <summary>Sends to both; asserts the same error (code, err_code, description) or both succeed.</summary>
    private async Task SameAsync(string subject, string body)
    {
        var theirs = JsonDocument.Parse((await RequestAsync("$JS.API." + subject, body)).PayloadText).RootElement;
        var ours = _h.Api(subject, body);
        Assert.That(ours.GetProperty("type").GetString(), Is.EqualTo(theirs.GetProperty("type").GetString()), subject);
        // Compared as values: Go escapes '>' as \u003e, System.Text.Json as \u003E; both decode the same.
        static string Error(JsonElement r) => r.TryGetProperty("error", out var e)
            ? $"{e.GetProperty("code").GetInt32()}/{e.GetProperty("err_code").GetInt32()} {e.GetProperty("description").GetString()}"
            : "none";
        var theirError = Error(theirs);
        var ourError = Error(ours);
        Assert.That(ourError, Is.EqualTo(theirError), $"{subject} {body}");
    }

    [Test]
    public async Task StreamAndConsumerErrorsAgree()
    {
        await SameAsync("STREAM.CREATE.A", "{\"name\":\"B\"}");
        await SameAsync("STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a.>\"]}");
        await SameAsync("STREAM.CREATE.A", "{\"name\":\"A\",\"subjects\":[\"a.>\"],\"max_msgs\":5}");
        await SameAsync("STREAM.CREATE.B", "{\"name\":\"B\",\"subjects\":[\"a.b\"]}");
        await SameAsync("STREAM.CREATE.C", "{\"name\":\"C\",\"num_replicas\":3}");
        // Not compared: unknown fields. 2.9.10 ignores them; nats-server 2.11+ refuses them by
        // default (jetstream { strict: true }), as this server does (StreamApiTests.CreateErrors).
        // Not compared: a negative max_age (2.9.10 reports the duplicate window derived from it;
        // current nats-server checks max_age first: "max age can not be negative", as here).
        await SameAsync("STREAM.INFO.X", "");
        await SameAsync("STREAM.MSG.GET.A", "{\"seq\":9}");
        await SameAsync("STREAM.MSG.DELETE.A", "{\"seq\":9}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"Z\",\"config\":{}}");
        await SameAsync("CONSUMER.CREATE.A.X.a.x", "{\"stream_name\":\"A\",\"config\":{\"filter_subject\":\"a.y\"}}");
        await SameAsync("CONSUMER.DURABLE.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{}}");
        await SameAsync("CONSUMER.DURABLE.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"durable_name\":\"Y\"}}");
        await SameAsync("CONSUMER.CREATE.A", "{\"stream_name\":\"A\",\"config\":{\"durable_name\":\"Y\"}}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"deliver_policy\":\"by_start_sequence\"}}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"deliver_subject\":\"a.loop\"}}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"idle_heartbeat\":1000000000}}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"deliver_subject\":\"p\",\"flow_control\":true}}");
        await SameAsync("CONSUMER.CREATE.A.X", "{\"stream_name\":\"A\",\"config\":{\"ack_policy\":\"explicit\",\"backoff\":[1000000000,2000000000],\"max_deliver\":1}}");
        await SameAsync("CONSUMER.INFO.A.nope", "");
        await SameAsync("CONSUMER.DELETE.A.nope", "");
    }

    /// <summary>Sends to both; asserts the same reply text (JSON escapes compared case-insensitively).</summary>
    private async Task SameBytesAsync(string subject, string body)
    {
        var theirs = (await RequestAsync("$JS.API." + subject, body)).PayloadText;
        var ours = Encoding.UTF8.GetString(_h.Account.HandleApi("$JS.API." + subject, "_INBOX.api", default, Encoding.UTF8.GetBytes(body))!);
        // Go escapes '>' as \u003e, System.Text.Json as \u003E.
        static string Escapes(string s) => System.Text.RegularExpressions.Regex.Replace(s, @"\\u[0-9a-fA-F]{4}", m => m.Value.ToUpperInvariant());
        Assert.That(Escapes(ours), Is.EqualTo(Escapes(theirs)), $"{subject} {body}");
    }

    /// <summary>
    /// The four list kinds answer an error in their list shape (limit 0, streams null or [] as 2.9.10
    /// has it), stream info and purge with their zero fields, and a bad paging, purge, get or
    /// delete body with a plain "invalid JSON".
    /// </summary>
    [Test]
    public async Task ListAndPagedErrorRepliesAreTheSameBytes()
    {
        string[] bad = ["{bad", "[1]", "{\"offset\":\"x\"}"];
        foreach (var body in bad)
        {
            await SameBytesAsync("STREAM.NAMES", body);
            await SameBytesAsync("STREAM.LIST", body);
            await SameBytesAsync("CONSUMER.NAMES.S", body);
            await SameBytesAsync("CONSUMER.LIST.S", body);
        }
        await SameBytesAsync("STREAM.NAMES", "");
        await SameBytesAsync("STREAM.NAMES", "{\"subject\":\"nomatch\"}");
        await SameBytesAsync("STREAM.LIST", "");
        await SameBytesAsync("CONSUMER.NAMES.S", "");
        await SameBytesAsync("CONSUMER.LIST.S", "");
        await SameBytesAsync("STREAM.INFO.S", "");
        await SameBytesAsync("STREAM.PURGE.S", "");
        await SameAsync("STREAM.CREATE.S", "{\"name\":\"S\",\"subjects\":[\"s.>\"]}");
        await SameBytesAsync("CONSUMER.NAMES.S", "");
        await SameBytesAsync("CONSUMER.LIST.S", "");
        await SameBytesAsync("CONSUMER.NAMES.S", "{\"offset\":5}");
        await SameBytesAsync("STREAM.NAMES", "{\"offset\":5}");
        await SameBytesAsync("STREAM.NAMES", "{\"subject\":\"nomatch\"}");
        foreach (var subject in new[] { "STREAM.INFO.S", "STREAM.PURGE.S", "STREAM.MSG.GET.S", "STREAM.MSG.DELETE.S" })
        {
            await SameBytesAsync(subject, "{bad");
        }
        // Not compared: a negative offset (2.9.10 panics on it; here it counts as 0).
    }

    [Test]
    public async Task PullStatusesAgree()
    {
        const string stream = "{\"name\":\"P\",\"subjects\":[\"p.>\"]}";
        const string consumer = "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"C\",\"ack_policy\":\"explicit\",\"max_batch\":2}}";
        await SameAsync("STREAM.CREATE.P", stream);
        await SameAsync("CONSUMER.DURABLE.CREATE.P.C", consumer);
        foreach (var body in new[] { "{\"batch\":1,\"no_wait\":true}", "{\"batch\":1,\"expires\":100000000}", "{\"batch\":5}", "{\"batch\":1,\"idle_heartbeat\":200000000,\"expires\":100000000}" })
        {
            var theirs = await RequestAsync("$JS.API.CONSUMER.MSG.NEXT.P.C", body);
            var inbox = _h.Pull("P", "C", body);
            var ours = await _h.WaitStatusAsync(inbox);
            Assert.That(ours.Headers, Is.EqualTo(theirs.HeaderText), body);
        }
    }

    /// <summary>A pull request's status from nats-server and from ours, compared (status line and headers).</summary>
    private async Task SamePullStatusAsync(string consumer, string body)
    {
        var theirs = await RequestAsync("$JS.API.CONSUMER.MSG.NEXT.P." + consumer, body);
        var ours = await _h.WaitStatusAsync(_h.Pull("P", consumer, body));
        Assert.That(ours.Headers, Is.EqualTo(theirs.HeaderText), $"{consumer} {body}");
    }

    /// <summary>
    /// The refusals of a pull request (limits of the consumer, push consumers, bad requests in Go's
    /// encoding/json words) and a batch ended by max_bytes. Not compared: a no_wait request that
    /// got some messages, and a max_bytes request whose batch is complete — 2.9.10 answers 408
    /// Request Timeout and nothing; nats-server 2.10+ (whose version this server reports) 404 No
    /// Messages and 409 Batch Completed, as here (PullConsumerTests).
    /// </summary>
    [Test]
    public async Task PullRefusalsAgree()
    {
        await SameAsync("STREAM.CREATE.P", "{\"name\":\"P\",\"subjects\":[\"p.>\"]}");
        await SameAsync("CONSUMER.DURABLE.CREATE.P.L", "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"L\",\"ack_policy\":\"explicit\",\"max_waiting\":1,\"max_expires\":2000000000,\"max_bytes\":1000}}");
        await SameAsync("CONSUMER.DURABLE.CREATE.P.D", "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}");
        await SameAsync("CONSUMER.DURABLE.CREATE.P.PU", "{\"stream_name\":\"P\",\"config\":{\"durable_name\":\"PU\",\"deliver_subject\":\"pu.x\",\"ack_policy\":\"explicit\"}}");
        await SamePullStatusAsync("L", "{\"batch\":1,\"expires\":5000000000}");
        await SamePullStatusAsync("L", "{\"batch\":1,\"max_bytes\":5000,\"expires\":1000000000}");
        await SamePullStatusAsync("D", "{\"batch\":1,\"idle_heartbeat\":1000000000,\"expires\":1000000000}");
        foreach (var bad in new[] { "{\"bad", "{bad", "{\"batch\":\"x\"}", "{\"batch\":1.5}", "{\"batch\":1,}", "{\"expires\":\"1s\",\"batch\":1}", "{\"no_wait\":1}", "{\"batch\":1} x", "{\"batch\" 1}", "{\"batch\":{}}", "{\"batch\":[1]}" })
        {
            await SamePullStatusAsync("D", bad);
        }
        await SamePullStatusAsync("PU", "{\"batch\":1}");

        // max_waiting 1: a second waiting request is refused.
        await _client!.SendAsync("PUB $JS.API.CONSUMER.MSG.NEXT.P.L _INBOX.waiting 32\r\n{\"batch\":1,\"expires\":1500000000}\r\n");
        _h.Pull("P", "L", "{\"batch\":1,\"expires\":1500000000}");
        await SamePullStatusAsync("L", "{\"batch\":1,\"expires\":1000000000}");

        // A message bigger than the request's max_bytes ends the request.
        await RequestAsync("p.x", "hello");
        await _h.PublishAsync("p.x", "hello");
        await SamePullStatusAsync("D", "{\"batch\":2,\"max_bytes\":10}");
    }

    private static IEnumerable<string> Keys(JsonElement e, string prefix = "") =>
        e.ValueKind != JsonValueKind.Object ? [] : e.EnumerateObject().SelectMany(p => Keys(p.Value, prefix + p.Name + ".").Prepend(prefix + p.Name));

    [Test]
    public async Task InfoFieldsAndConsumerDefaultsAgree()
    {
        var body = "{\"name\":\"K\",\"subjects\":[\"k.>\"]}";
        var theirs = JsonDocument.Parse((await RequestAsync("$JS.API.STREAM.CREATE.K", body)).PayloadText).RootElement;
        var ours = _h.Api("STREAM.CREATE.K", body);
        // Every field 2.9.10 sends is here; the extra ones are newer nats-server's (compression, consumer_limits, ts …).
        Assert.That(Keys(theirs).Except(Keys(ours)), Is.Empty, "stream fields missing");
        var cbody = "{\"stream_name\":\"K\",\"config\":{\"durable_name\":\"D\",\"ack_policy\":\"explicit\"}}";
        var ctheirs = JsonDocument.Parse((await RequestAsync("$JS.API.CONSUMER.DURABLE.CREATE.K.D", cbody)).PayloadText).RootElement;
        var cours = _h.Api("CONSUMER.DURABLE.CREATE.K.D", cbody);
        Assert.That(Keys(ctheirs).Except(Keys(cours)), Is.Empty, "consumer fields missing");
        Assert.That(cours.GetProperty("config").ToString().Replace(",\"name\":\"D\"", ""), Is.EqualTo(ctheirs.GetProperty("config").ToString()), "the same defaults");
    }

    [Test]
    public async Task PushDeliveriesAndHeartbeatsAgree()
    {
        var stream = "{\"name\":\"Q\",\"subjects\":[\"q.>\"]}";
        // 2.9.10 counts only a subscription on the deliver subject itself as push interest (not _INBOX.>).
        await _client!.SendAsync("SUB push.q 2\r\nPING\r\n");
        await _client.ExpectLineAsync("PONG");
        await SameAsync("STREAM.CREATE.Q", stream);
        await RequestAsync("q.one", "hello");
        await _h.PublishAsync("q.one", "hello");
        var consumer = "{\"stream_name\":\"Q\",\"config\":{\"durable_name\":\"D\",\"deliver_subject\":\"push.q\",\"ack_policy\":\"explicit\",\"idle_heartbeat\":100000000}}";
        await SameAsync("CONSUMER.DURABLE.CREATE.Q.D", consumer);

        var theirs = await NextAsync("push.q");
        Assert.That(theirs.Subject, Is.EqualTo("q.one"), "subscribers see the stored subject");
        var ours = (await _h.WaitDeliveriesAsync("push.q", 1))[0];
        Assert.That(ours.Subject, Is.EqualTo(theirs.Subject));
        Assert.That(ours.Payload, Is.EqualTo(theirs.PayloadText));
        Assert.That(ours.Reply!.Split('.')[..7], Is.EqualTo(theirs.Reply!.Split('.')[..7]), "$JS.ACK.Q.D.<delivered>.<sseq>.<cseq>");
        Assert.That(ours.Reply!.Split('.'), Has.Length.EqualTo(theirs.Reply!.Split('.').Length));

        var hb = await NextAsync("push.q");
        var ourHb = await _h.WaitStatusAsync("push.q");
        Assert.That(ourHb.Headers, Is.EqualTo(hb.HeaderText));
        Assert.That(ourHb.Payload, Is.EqualTo(hb.PayloadText));
    }
}
