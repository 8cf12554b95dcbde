using System.Text;
using System.Text.Json;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Subjects;
using Nats.JetStream.Api;
using Nats.JetStream.Engine;

namespace Nats.JetStream.Server;

/// <summary>
/// Answers JetStream API requests in an account without JetStream with
/// <c>503 10039 JetStream not enabled for account</c>, as nats-server does:
/// <list type="bullet">
/// <item>an ordinary account answers every API request with the error in that request's own
/// response type (<c>stream_create_response</c>…), as nats-server 2.9.10 does, except a subject one
/// of the account's service imports serves (an account that imports another's JetStream API);</item>
/// <item>the system account, whose JetStream is always disabled, answers <c>$JS.API.INFO</c> with
/// an <c>account_info_response</c> (nats-server 2.9.10 and later) and every other API request with a
/// <c>system_response</c> (nats-server 2.10+; 2.9.10 drops them unanswered and the client times
/// out), except the system-level directives nats-server leaves to other handlers
/// (<c>$JS.API.ACCOUNT.&gt;</c>, <c>META.LEADER.STEPDOWN</c>, <c>META.RESCUE</c>,
/// <c>SERVER.REMOVE</c>, <c>SERVER.EVACUATE</c>), which are not served by this single server.</item>
/// </list>
/// Stateless after construction; the router calls it on publishers' threads.
/// </summary>
internal sealed class NotEnabledResponder : ILocalOnlySink, IDisposable
{
    private static readonly byte[] InfoNotEnabled = NotEnabled("io.nats.jetstream.api.v1.account_info_response");
    private static readonly byte[] SystemNotEnabled = NotEnabled("io.nats.jetstream.api.v1.system_response");

    private readonly MessageRouter _router;
    private readonly Account _account;
    private readonly Subscription _subscription;

    public NotEnabledResponder(MessageRouter router, Account account)
    {
        _router = router;
        _account = account;
        _subscription = new Subscription("$JS.API.>"u8.ToArray(), null, this) { Owner = account };
        router.AddSubscription(account, _subscription);
    }

    private static byte[] NotEnabled(string type) => JsonSerializer.SerializeToUtf8Bytes(
        new ApiResponse { Type = type, Error = JsErrors.NotEnabledForAccount.ToApi() }, JsApiJsonContext.Default.ApiResponse);

    public bool Deliver(Subscription subscription, in MessageView message)
    {
        if (subscription.IsClosed)
        {
            return false;
        }
        if ((_account.IsSystem ? SystemAnswer(message.Subject) : AccountAnswer(message.Subject)) is not { } answer)
        {
            return false;
        }
        if (!message.Reply.IsEmpty)
        {
            _router.Publish(_account, new MessageView(message.Reply, default, default, answer), MessageOrigin.Internal);
        }
        return true;
    }

    private static byte[]? SystemAnswer(ReadOnlySpan<byte> subject) =>
        subject.SequenceEqual("$JS.API.INFO"u8) ? InfoNotEnabled
        : IsSystemDirective(subject) ? null
        : SystemNotEnabled;

    private byte[]? AccountAnswer(ReadOnlySpan<byte> subject)
    {
        var text = Encoding.UTF8.GetString(subject);
        if (IsImported(text))
        {
            return null;
        }
        var kind = JsAccount.Route(text["$JS.API.".Length..].Split('.')).Kind;
        return kind.Length == 0 ? null : ErrorResponses.For(kind, JsErrors.NotEnabledForAccount);
    }

    // A service import serving the subject answers it (from the account whose JetStream it is).
    private bool IsImported(string subject) =>
        _account.Definition?.Imports.Exists(i => i.Kind == ExportKind.Service && SubjectMatcher.MatchLiteral(subject, i.To ?? i.Subject)) == true;

    private static bool IsSystemDirective(ReadOnlySpan<byte> subject) =>
        subject.StartsWith("$JS.API.ACCOUNT."u8)
        || subject.SequenceEqual("$JS.API.META.LEADER.STEPDOWN"u8)
        || subject.SequenceEqual("$JS.API.META.RESCUE"u8)
        || subject.SequenceEqual("$JS.API.SERVER.REMOVE"u8)
        || subject.SequenceEqual("$JS.API.SERVER.EVACUATE"u8);

    public void Dispose() => _router.RemoveSubscription(_account, _subscription);
}
