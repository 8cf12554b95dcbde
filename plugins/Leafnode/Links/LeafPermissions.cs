using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Leafnode.Protocol;

namespace Nats.Leafnode.Links;

/// <summary>
/// What one leaf link may carry, from the link's point of view (nats-server's leaf
/// <c>perms</c>): <see cref="MaySend"/> for messages we forward to the peer, <see cref="MayReceive"/>
/// for messages the peer sends us, <see cref="MayAnnounce"/> for interest we announce.
/// </summary>
/// <remarks>
/// Spoke side: the hub's INFO <c>export</c> (what we may publish there) with our
/// <c>deny_exports</c> bounds sending; its <c>import</c> with our <c>deny_imports</c> bounds
/// what we announce (so the hub never sends it). Hub side: the leaf user's permissions seen
/// from the other end: the user's subscribe rules (plus the leaf's CONNECT <c>deny_pub</c>)
/// bound what we send, its publish rules what we accept. Loop-detection and gateway reply
/// subjects are never filtered. Immutable.
/// </remarks>
internal sealed class LeafPermissions
{
    public static readonly LeafPermissions None = new(null, null, null);

    private readonly ClientPermissions? _send;
    private readonly ClientPermissions? _receive;
    private readonly ClientPermissions? _announce;

    private LeafPermissions(ClientPermissions? send, ClientPermissions? receive, ClientPermissions? announce)
    {
        _send = send;
        _receive = receive;
        _announce = announce;
    }

    /// <summary>For a link we solicited: the hub's import/export with the remote's deny lists.</summary>
    public static LeafPermissions ForSpoke(SubjectPermission? hubImport, SubjectPermission? hubExport, IReadOnlyList<string> denyImports, IReadOnlyList<string> denyExports)
    {
        var send = Merge(hubExport, denyExports);
        var announce = Merge(hubImport, denyImports);
        return new LeafPermissions(
            ClientPermissions.Create(send is null ? null : new PermissionsConfig { Publish = send }),
            null,
            ClientPermissions.Create(announce is null ? null : new PermissionsConfig { Subscribe = announce }));
    }

    /// <summary>For an accepted leaf: its user's permissions, and the subjects its CONNECT said it does not import.</summary>
    public static LeafPermissions ForHub(PermissionsConfig? user, IReadOnlyList<string>? denyPub)
    {
        var send = Merge(Convert(user?.Subscribe), denyPub ?? []);
        var receive = user?.Publish;
        return new LeafPermissions(
            ClientPermissions.Create(send is null ? null : new PermissionsConfig { Publish = send }),
            ClientPermissions.Create(receive is null ? null : new PermissionsConfig { Publish = receive }),
            null);
    }

    /// <summary>What the hub tells the leaf in INFO: <c>import</c> (the user's subscribe rules) and <c>export</c> (its publish rules).</summary>
    public static (SubjectPermission? Import, SubjectPermission? Export) ForInfo(PermissionsConfig? user) =>
        (ToWire(user?.Subscribe), ToWire(user?.Publish));

    public bool MaySend(ReadOnlySpan<byte> subject) => _send is null || Exempt(subject) || _send.CanPublish(subject);

    public bool MayReceive(ReadOnlySpan<byte> subject) => _receive is null || Exempt(subject) || _receive.CanPublish(subject);

    public bool MayAnnounce(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> queue) =>
        _announce is null || Exempt(subject) || _announce.CanSubscribe(subject, queue);

    private static bool Exempt(ReadOnlySpan<byte> subject) =>
        subject.StartsWith(LeafManager.LoopDetectionPrefixBytes) || subject.StartsWith("_GR_."u8) || subject.StartsWith("$GR."u8);

    private static SubjectPermissionConfig? Merge(SubjectPermissionConfig? rules, IReadOnlyList<string> deny)
    {
        if (rules is null && deny.Count == 0)
        {
            return null;
        }
        var merged = new SubjectPermissionConfig { Allow = rules?.Allow is null ? null : [.. rules.Allow], Deny = rules?.Deny is null ? null : [.. rules.Deny] };
        if (deny.Count > 0)
        {
            merged.Deny = [.. merged.Deny ?? [], .. deny];
        }
        return merged;
    }

    private static SubjectPermissionConfig? Merge(SubjectPermission? wire, IReadOnlyList<string> deny) => Merge(Convert(wire), deny);

    private static SubjectPermissionConfig? Convert(SubjectPermission? wire) =>
        wire is null ? null : new SubjectPermissionConfig { Allow = wire.Allow, Deny = wire.Deny };

    private static SubjectPermissionConfig? Convert(SubjectPermissionConfig? config) => config;

    private static SubjectPermission? ToWire(SubjectPermissionConfig? config) =>
        config is null ? null : new SubjectPermission { Allow = config.Allow, Deny = config.Deny };
}
