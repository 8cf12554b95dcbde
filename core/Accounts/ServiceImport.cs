using System.Collections.Concurrent;
using System.Text;
using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// A service import: requests published in the importing account on the local subject go
/// to the exporting account's service; the reply subject is replaced by a private
/// <c>_R_.</c> subject in the exporter, and responses to it are carried back to the
/// requester's original reply subject in the importing account.
/// </summary>
internal sealed class ServiceImport : ILocalOnlySink
{
    private readonly ConcurrentDictionary<string, PendingReply> _replies = new(StringComparer.Ordinal);
    private readonly string _replyPrefix;
    private long _sequence;

    public ServiceImport(Account importer, Account exporter, string localSubject, string exportSubject, ServiceResponseType responseType, TimeSpan responseThreshold)
    {
        Importer = importer;
        Exporter = exporter;
        LocalSubject = localSubject;
        ExportSubject = exportSubject;
        ResponseType = responseType;
        ResponseThreshold = responseThreshold;
        Transform = localSubject == exportSubject ? null : SubjectTransform.ForImport(localSubject, exportSubject);
        _replyPrefix = "_R_." + Security.Nonce.Generate() + ".";
        RequestSubscription = new Subscription(Encoding.UTF8.GetBytes(localSubject), null, this);
        ResponseSubscription = new Subscription(Encoding.UTF8.GetBytes(_replyPrefix + ">"), null, new ResponseSink(this));
    }

    public Account Importer { get; }
    public Account Exporter { get; }
    public string LocalSubject { get; }
    public string ExportSubject { get; }
    public ServiceResponseType ResponseType { get; }
    public TimeSpan ResponseThreshold { get; }
    public SubjectTransform? Transform { get; }

    /// <summary>In the importer's sublist: catches requests.</summary>
    public Subscription RequestSubscription { get; }

    /// <summary>In the exporter's sublist: catches responses on the private reply subjects.</summary>
    public Subscription ResponseSubscription { get; }

    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (MessageRouter.Depth > MessageRouter.MaxImportDepth)
        {
            return false;
        }
        var subject = Transform is null ? message.Subject : Transform.Apply(message.Subject);
        // The exporter's own mappings apply to what its service receives, as in nats-server.
        if (Exporter.Mappings is not null && Exporter.MapSubject(subject) is { } mapped)
        {
            if (mapped.Length == 0)
            {
                return false;
            }
            subject = mapped;
        }
        ReadOnlySpan<byte> reply = default;
        if (!message.Reply.IsEmpty)
        {
            var token = Interlocked.Increment(ref _sequence).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _replies[token] = new PendingReply(message.Reply.ToArray(), DateTime.UtcNow + ResponseThreshold);
            reply = Encoding.UTF8.GetBytes(_replyPrefix + token);
        }
        var result = Exporter.Sublist.Match(subject);
        if (result.IsEmpty)
        {
            return false;
        }
        var request = new MessageView(subject, reply, message.Headers, message.Payload);
        return MessageRouter.Deliver(Exporter, result, request, MessageOrigin.Internal);
    }

    /// <summary>Forgets replies that waited longer than the response threshold.</summary>
    public void PruneExpired(DateTime now)
    {
        foreach (var (token, pending) in _replies)
        {
            if (pending.Expires < now)
            {
                _replies.TryRemove(token, out _);
            }
        }
    }

    private bool DeliverResponse(in MessageView message)
    {
        var token = Encoding.UTF8.GetString(message.Subject[_replyPrefix.Length..]);
        PendingReply pending;
        if (ResponseType == ServiceResponseType.Singleton)
        {
            if (!_replies.TryRemove(token, out pending))
            {
                return false;
            }
        }
        else if (!_replies.TryGetValue(token, out pending))
        {
            return false;
        }
        var result = Importer.Sublist.Match(pending.Reply);
        if (result.IsEmpty)
        {
            return false;
        }
        var response = new MessageView(pending.Reply, message.Reply, message.Headers, message.Payload);
        return MessageRouter.Deliver(Importer, result, response, MessageOrigin.Internal);
    }

    private readonly record struct PendingReply(byte[] Reply, DateTime Expires);

    private sealed class ResponseSink(ServiceImport owner) : IMessageSink
    {
        public bool Deliver(Subscription subscription, in MessageView message) => owner.DeliverResponse(message);
    }
}
