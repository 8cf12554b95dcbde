using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// A stream import: messages published in the exporting account on the exported subject
/// are delivered into the importing account (under a mapped subject when configured).
/// It sits in the exporter's sublist as an ordinary subscription.
/// </summary>
internal sealed class StreamImport : ILocalOnlySink
{
    private readonly SublistMatchCache _cache;

    public StreamImport(Account importer, Account exporter, string subject, SubjectTransform? transform)
    {
        Importer = importer;
        Exporter = exporter;
        Subject = subject;
        Transform = transform;
        Subscription = new Subscription(System.Text.Encoding.UTF8.GetBytes(subject), null, this);
        _cache = new SublistMatchCache(importer.Sublist);
    }

    public Account Importer { get; }
    public Account Exporter { get; }
    public string Subject { get; }
    public SubjectTransform? Transform { get; }
    public Subscription Subscription { get; }

    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (!TryMatch(message.Subject, out var subject, out var result))
        {
            return false;
        }
        var mapped = new MessageView(subject, message.Reply, message.Headers, message.Payload);
        return MessageRouter.Deliver(Importer, result, mapped, MessageOrigin.Internal);
    }

    /// <summary>
    /// A message routed on <paramref name="routedSubject"/> while subscribers see its own subject
    /// (<see cref="MessageRouter.PublishTo"/>: a JetStream delivery to a push consumer's deliver
    /// subject): matched in the importer on the mapped <paramref name="routedSubject"/>, delivered there
    /// the same way, so a consumer of another account can deliver through a stream export.
    /// </summary>
    public bool DeliverRouted(Subscription subscription, in MessageView message, ReadOnlySpan<byte> routedSubject) =>
        TryMatch(routedSubject, out var subject, out var result) &&
        MessageRouter.Deliver(Importer, result, message, MessageOrigin.Internal, subject);

    /// <summary>The importer's subject for <paramref name="exported"/> and its subscribers there, if any (and the import depth allows).</summary>
    private bool TryMatch(ReadOnlySpan<byte> exported, out ReadOnlySpan<byte> subject, out SublistResult result)
    {
        subject = default;
        result = default!;
        if (MessageRouter.Depth > MessageRouter.MaxImportDepth)
        {
            return false;
        }
        subject = Transform is null ? exported : Transform.Apply(exported);
        lock (_cache)
        {
            result = _cache.Match(subject);
        }
        return !result.IsEmpty;
    }
}
