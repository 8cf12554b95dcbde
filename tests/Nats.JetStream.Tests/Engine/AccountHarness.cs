using System.Text;
using System.Text.Json;
using Nats.JetStream.Engine;
using Nats.JetStream.Storage;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.Engine;

/// <summary>A JsAccount on real stores in a temporary directory, driven through its entry points with strings.</summary>
internal sealed class AccountHarness : IDisposable
{
    private int _inbox;

    public AccountHarness(StorageType type = StorageType.File, JsAccountOptions? options = null)
    {
        Type = type;
        Directory = Path.Combine(Path.GetTempPath(), "js-acc-" + Guid.NewGuid().ToString("N"));
        Options = options ?? new JsAccountOptions();
        Options = Options with { StoreDirectory = Directory };
        Account = new JsAccount(Options, Output);
    }

    public StorageType Type { get; }

    public string StorageName => Type == StorageType.File ? "file" : "memory";

    public string Directory { get; }

    public JsAccountOptions Options { get; }

    public RecordingOutput Output { get; private set; } = new();

    public JsAccount Account { get; private set; }

    /// <summary>Closes the account and opens it again on the same directory (a restart).</summary>
    public void Restart()
    {
        Account.Dispose();
        Output = new RecordingOutput();
        Account = new JsAccount(Options, Output);
    }

    public JsonElement Api(string subject, string body = "")
    {
        var bytes = Account.HandleApi("$JS.API." + subject, "_INBOX.api", default, Encoding.UTF8.GetBytes(body));
        Assert.That(bytes, Is.Not.Null, subject);
        return JsonDocument.Parse(bytes!).RootElement.Clone();
    }

    public static int ErrCode(JsonElement response) =>
        response.TryGetProperty("error", out var e) ? e.GetProperty("err_code").GetInt32() : 0;

    public JsonElement CreateStream(string name, string extra = "", params string[] subjects)
    {
        var subj = subjects.Length == 0 ? $"\"{name}.>\"" : string.Join(',', subjects.Select(s => $"\"{s}\""));
        var r = Api($"STREAM.CREATE.{name}", $"{{\"name\":\"{name}\",\"subjects\":[{subj}],\"storage\":\"{StorageName}\"{extra}}}");
        Assert.That(ErrCode(r), Is.Zero, r.ToString());
        return r;
    }

    public JsonElement CreateConsumer(string stream, string name, string config)
    {
        var r = Api($"CONSUMER.CREATE.{stream}.{name}", $"{{\"stream_name\":\"{stream}\",\"config\":{{\"name\":\"{name}\"{(config.Length > 0 ? "," : "")}{config}}}}}");
        Assert.That(ErrCode(r), Is.Zero, r.ToString());
        return r;
    }

    /// <summary>Publishes and waits for the pub ack; returns the sequence.</summary>
    public async Task<ulong> PublishAsync(string subject, string payload = "x", string? headers = null)
    {
        var reply = "_INBOX.pub." + Interlocked.Increment(ref _inbox);
        Assert.That(Account.HandlePublish(subject, reply, headers is null ? default : Encoding.ASCII.GetBytes(headers), Encoding.UTF8.GetBytes(payload)), Is.True);
        await Eventually.TrueAsync(() => Output.To(reply).Count == 1, "pub ack " + subject);
        var ack = JsonDocument.Parse(Output.To(reply)[0]).RootElement;
        Assert.That(ack.TryGetProperty("error", out _), Is.False, ack.ToString());
        return ack.GetProperty("seq").GetUInt64();
    }

    public string NewInbox() => "_INBOX.t." + Interlocked.Increment(ref _inbox);

    /// <summary>Sends a pull request and returns its reply subject.</summary>
    public string Pull(string stream, string consumer, string body = "")
    {
        var inbox = NewInbox();
        Assert.That(Account.HandleApi($"$JS.API.CONSUMER.MSG.NEXT.{stream}.{consumer}", inbox, default, Encoding.UTF8.GetBytes(body)), Is.Null);
        return inbox;
    }

    public List<Sent> Received(string to) => Output.Messages(to);

    public List<Sent> Deliveries(string to) => Output.Messages(to).Where(m => !m.IsStatus).ToList();

    public async Task<List<Sent>> WaitDeliveriesAsync(string to, int count, TimeSpan? timeout = null)
    {
        // The count in the failure message is taken when the wait gives up, not when it starts.
        await Eventually.TrueAsync(() => Deliveries(to).Count >= count, () => $"{count} deliveries to {to} (got {Deliveries(to).Count})", timeout);
        return Deliveries(to);
    }

    public async Task<Sent> WaitStatusAsync(string to, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => Received(to).Any(m => m.IsStatus), "status to " + to, timeout);
        return Received(to).First(m => m.IsStatus);
    }

    /// <summary>Acks a delivery (with a reply, waiting for the server's answer so the state is durable).</summary>
    public async Task AckAsync(Sent delivery, string body = "+ACK")
    {
        var reply = NewInbox();
        Assert.That(Account.HandleAck(delivery.Reply!, reply, Encoding.ASCII.GetBytes(body)), Is.True);
        await Eventually.TrueAsync(() => Output.Messages(reply).Count == 1, "ack reply");
    }

    public void AckNoReply(Sent delivery, string body = "+ACK") =>
        Assert.That(Account.HandleAck(delivery.Reply!, null, Encoding.ASCII.GetBytes(body)), Is.True);

    public JsonElement ConsumerInfo(string stream, string consumer) => Api($"CONSUMER.INFO.{stream}.{consumer}");

    public void Dispose()
    {
        Account.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
