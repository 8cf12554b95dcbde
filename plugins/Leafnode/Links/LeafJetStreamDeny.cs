using Nats.Core.Accounts;
using Nats.Core.Config;

namespace Nats.Leafnode.Links;

/// <summary>
/// What one leaf link must not carry because of JetStream, decided once when the link registers
/// as nats-server 2.9.10's <c>addLeafNodeConnection</c> does: an ordinary account never carries
/// <c>$JS.API.&gt;</c>, <c>$KV.&gt;</c>, <c>$OBJ.&gt;</c> either way (a request would be
/// answered by both JetStreams; the other side's is reached through its domain,
/// <c>$JS.&lt;domain&gt;.API.&gt;</c>), unless <c>default_js_domain</c> gives the account the
/// empty domain. The system account carries JetStream's internal subjects only when both sides
/// run the same domain (JetStream extended over the link). When the link does not extend
/// JetStream, our own domain's API does not leave over it either (two servers of one domain).
/// </summary>
/// <remarks>
/// Kept apart from <see cref="LeafPermissions"/>, which the hub's asynchronous INFO may replace:
/// nats-server merges these denies into the link's permissions after the handshake. Immutable.
/// </remarks>
internal sealed class LeafJetStreamDeny
{
    /// <summary>nats-server's <c>denyAllClientJs</c>.</summary>
    internal static readonly string[] ClientApi = ["$JS.API.>", "$KV.>", "$OBJ.>"];

    /// <summary>nats-server's <c>denyAllJs</c>: the client API and JetStream's cluster traffic.</summary>
    internal static readonly string[] AllJetStream = ["$JSC.>", "$NRG.>", "$JS.API.>", "$KV.>", "$OBJ.>"];

    public static readonly LeafJetStreamDeny None = new([], []);

    private readonly ClientPermissions? _both;
    private readonly ClientPermissions? _send;

    private LeafJetStreamDeny(IReadOnlyList<string> both, IReadOnlyList<string> sendOnly)
    {
        Both = both;
        SendOnly = sendOnly;
        _both = both.Count == 0 ? null : ClientPermissions.Create(new PermissionsConfig
        {
            Publish = new SubjectPermissionConfig { Deny = [.. both] },
            Subscribe = new SubjectPermissionConfig { Deny = [.. both] },
        });
        _send = both.Count + sendOnly.Count == 0 ? null : ClientPermissions.Create(new PermissionsConfig
        {
            Publish = new SubjectPermissionConfig { Deny = [.. both, .. sendOnly] },
        });
    }

    /// <summary>Denied both ways: neither sent, received nor announced.</summary>
    public IReadOnlyList<string> Both { get; }

    /// <summary>Denied for messages we send only (our own domain's API).</summary>
    public IReadOnlyList<string> SendOnly { get; }

    public bool MaySend(ReadOnlySpan<byte> subject) => _send is null || OutsideDollar(subject) || _send.CanPublish(subject);

    public bool MayReceive(ReadOnlySpan<byte> subject) => _both is null || OutsideDollar(subject) || _both.CanPublish(subject);

    public bool MayAnnounce(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue) => _both is null || OutsideDollar(subject) || _both.CanSubscribe(subject, queue);

    /// <summary>Every denied subject starts with <c>$</c>: the message path skips the lookup for all others.</summary>
    private static bool OutsideDollar(ReadOnlySpan<byte> subject) => subject.IsEmpty || subject[0] != (byte)'$';

    /// <summary>
    /// The denies for a link bound to an account, with the notices nats-server logs on the way.
    /// </summary>
    /// <param name="link">What both sides say about JetStream.</param>
    /// <param name="notice">Receives each notice line (nats-server's <c>Noticef</c> texts).</param>
    public static LeafJetStreamDeny For(LeafJetStreamSetting link, Action<string> notice)
    {
        var localDomain = link.LocalDomain ?? "";
        var remoteDomain = link.RemoteDomain ?? "";
        var forceSystemDeny = false;
        if (link.AccountIsSystem)
        {
            if (link.AnyEmptyDefaultDomain)
            {
                // Extending JetStream over a leaf and mapping some account to the default domain exclude each other.
                notice("Forcing System Account into non extend mode due to presence of empty default domain");
                forceSystemDeny = true;
            }
        }
        else if (link.AccountDefaultDomain == "")
        {
            notice($"Skipping deny \"{ClientApi[0]}\" for account \"{link.AccountName}\" due to default domain");
            return None;
        }

        string[] both;
        var blockOwnDomain = false;
        if (localDomain != remoteDomain || (!link.JetStreamEnabled && localDomain.Length == 0) || !link.HasSystemAccount || forceSystemDeny)
        {
            if (link.AccountIsSystem)
            {
                notice($"JetStream Not Extended, adding denies [{string.Join(' ', AllJetStream)}]");
                both = AllJetStream;
            }
            else
            {
                notice($"JetStream Not Extended, adding deny [{string.Join(' ', ClientApi)}] for account \"{link.AccountName}\"");
                both = ClientApi;
            }
            blockOwnDomain = true;
        }
        else if (link.AccountIsSystem)
        {
            notice($"Extending JetStream domain \"{remoteDomain}\" as System Account connected");
            both = [];
        }
        else
        {
            // With the system account shared, API traffic goes through it; otherwise it has no business here.
            notice($"Adding deny [{string.Join(' ', ClientApi)}] for account \"{link.AccountName}\"");
            both = ClientApi;
        }

        string[] sendOnly = [];
        if (blockOwnDomain && localDomain.Length > 0 && link.JetStreamEnabled && !link.AccountIsSystem)
        {
            // A request for our domain must not leave through a link that does not extend it (a
            // hub and a leaf misconfigured with the same domain).
            var own = $"$JS.{localDomain}.API.>";
            notice($"Adding deny \"{own}\" for outgoing messages to account \"{link.AccountName}\"");
            sendOnly = [own];
        }
        return new LeafJetStreamDeny(both, sendOnly);
    }
}

/// <summary>What <see cref="LeafJetStreamDeny.For"/> decides from.</summary>
/// <param name="AccountName">The account the link is bound to.</param>
/// <param name="AccountIsSystem">Whether that is the system account.</param>
/// <param name="HasSystemAccount">Whether this server has a system account.</param>
/// <param name="JetStreamEnabled">Whether JetStream runs on this server.</param>
/// <param name="LocalDomain">Our JetStream domain (null or empty: none).</param>
/// <param name="RemoteDomain">The peer's domain (its INFO or CONNECT).</param>
/// <param name="AccountDefaultDomain">The account's <c>default_js_domain</c> entry, or null without one.</param>
/// <param name="AnyEmptyDefaultDomain">Whether <c>default_js_domain</c> maps some account to the empty domain.</param>
internal readonly record struct LeafJetStreamSetting(
    string AccountName,
    bool AccountIsSystem,
    bool HasSystemAccount,
    bool JetStreamEnabled,
    string? LocalDomain,
    string? RemoteDomain,
    string? AccountDefaultDomain,
    bool AnyEmptyDefaultDomain);
