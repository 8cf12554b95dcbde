using System.Collections.Concurrent;
using System.Text;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Keeps every message the engine publishes or delivers; interest is a set the test controls.</summary>
internal sealed class RecordingOutput : IJetStreamOutput
{
    public ConcurrentQueue<(string Subject, string? Reply, string Headers, string Payload)> Sent { get; } = new();

    /// <summary>Deliveries: (to, shown subject, reply, headers, payload).</summary>
    public ConcurrentQueue<Sent> All { get; } = new();

    /// <summary>Subjects without interest (everything else has some).</summary>
    public ConcurrentDictionary<string, bool> NoInterest { get; } = new();

    public void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var h = Encoding.UTF8.GetString(headers);
        var p = Encoding.UTF8.GetString(payload);
        Sent.Enqueue((subject, reply, h, p));
        All.Enqueue(new Sent(subject, subject, reply, h, p));
    }

    public void Deliver(string deliverTo, string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload)
    {
        var h = Encoding.UTF8.GetString(headers);
        var p = Encoding.UTF8.GetString(payload);
        Sent.Enqueue((deliverTo, reply, h, p));
        All.Enqueue(new Sent(deliverTo, subject, reply, h, p));
    }

    public bool HasInterest(string subject) => !NoInterest.ContainsKey(subject);

    public List<string> To(string subject) => Sent.Where(s => s.Subject == subject).Select(s => s.Payload).ToList();

    public List<Sent> Messages(string to) => All.Where(s => s.To == to).ToList();
}

internal sealed record Sent(string To, string Subject, string? Reply, string Headers, string Payload)
{
    /// <summary>When the engine handed it over (Environment.TickCount64): a test bounds a wait from below with
    /// it, which a loaded machine cannot break, where sampling the count after a fixed delay could.</summary>
    public long At { get; } = Environment.TickCount64;

    public bool IsStatus => Headers.StartsWith("NATS/1.0 ", StringComparison.Ordinal) && Payload.Length == 0 && Reply?.StartsWith("$JS.ACK.", StringComparison.Ordinal) != true;

    public string Status => Headers.Split("\r\n")[0];
}
