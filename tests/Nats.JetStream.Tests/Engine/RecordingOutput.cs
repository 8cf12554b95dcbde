using System.Collections.Concurrent;
using System.Text;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Keeps every message the engine publishes.</summary>
internal sealed class RecordingOutput : IJetStreamOutput
{
    public ConcurrentQueue<(string Subject, string? Reply, string Headers, string Payload)> Sent { get; } = new();

    public void Publish(string subject, string? reply, ReadOnlySpan<byte> headers, ReadOnlySpan<byte> payload) =>
        Sent.Enqueue((subject, reply, Encoding.UTF8.GetString(headers), Encoding.UTF8.GetString(payload)));

    public List<string> To(string subject) => Sent.Where(s => s.Subject == subject).Select(s => s.Payload).ToList();
}
