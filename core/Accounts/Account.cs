using Nats.Core.Subjects;

namespace Nats.Core.Accounts;

/// <summary>
/// An isolated subject namespace: its own <see cref="Sublist"/>, users, and the streams and
/// services it exports to and imports from other accounts.
/// </summary>
public sealed class Account
{
    private long _inMessages;
    private long _inBytes;
    private long _outMessages;
    private long _outBytes;
    private int _connections;
    private int _leafConnections;
    private volatile AccountLimits _limits = AccountLimits.None;
    private volatile bool _isRemoved;
    // Swapped whole by the registry (under its lock); read lock-free by publishers.
    private volatile SubjectMappings? _mappings;
    // Copy-on-write, swapped whole under itself by the plugin that sets one; read lock-free by anyone.
    private volatile string[] _capabilities = [];
    private readonly Lock _capabilitiesGate = new();

    /// <summary>Creates an empty account.</summary>
    public Account(string name, bool enableSublistCache = true)
    {
        Name = name;
        NameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        Sublist = new Sublist(enableSublistCache);
    }

    /// <summary>The account name (<c>$G</c> for the global account, <c>$SYS</c> for the system account).</summary>
    public string Name { get; }

    /// <summary>The name as UTF-8, for protocol lines that carry the account (RMSG, RS+).</summary>
    internal byte[] NameBytes { get; }

    /// <summary>The account's subscriptions.</summary>
    public Sublist Sublist { get; }

    /// <summary>True for the system account.</summary>
    public bool IsSystem { get; internal set; }

    /// <summary>
    /// False while an import of <see cref="Definition"/> cannot be wired (its exporter is unknown or
    /// does not permit it): nats-server's <c>complete</c> in <c>/accountz</c> (its <c>Account.incomplete</c>).
    /// Written by the registry under its lock.
    /// </summary>
    public bool IsComplete { get; internal set; } = true;

    /// <summary>The account's limits (replaced as a whole by <see cref="AccountRegistry.Update"/>).</summary>
    public AccountLimits Limits
    {
        get => _limits;
        internal set => _limits = value;
    }

    /// <summary>
    /// True once <see cref="AccountRegistry.Remove"/> took the account out: holders of the
    /// object (a route's cache, say) look the name up again.
    /// </summary>
    public bool IsRemoved
    {
        get => _isRemoved;
        internal set => _isRemoved = value;
    }

    /// <summary>The definition the account was registered or last updated with.</summary>
    public Config.AccountConfig? Definition { get; internal set; }

    /// <summary>When <see cref="Definition"/> was applied (a JWT account's <c>update_time</c>); written under the registry's lock.</summary>
    internal DateTime DefinedAt { get; set; }

    /// <summary>Exports this account offers, as configured.</summary>
    public IReadOnlyList<AccountExport> Exports { get; internal set; } = [];

    /// <summary>Service imports: local subject → the exporting account's service.</summary>
    internal IReadOnlyList<ServiceImport> ServiceImports { get; set; } = [];

    /// <summary>Stream imports this account takes from others.</summary>
    internal IReadOnlyList<StreamImport> StreamImports { get; set; } = [];

    /// <summary>The account's subject mappings; null when it has none (the common case: one null check per publish).</summary>
    public SubjectMappings? Mappings
    {
        get => _mappings;
        internal set => _mappings = value;
    }

    /// <summary>Mappings the server added (<see cref="AccountRegistry.AddMappings"/>); written under the registry's lock.</summary>
    internal IReadOnlyList<Config.MappingConfig> AddedMappings { get; set; } = [];

    /// <summary>
    /// The registry that defined the account (set by it): it knows the cluster this server is in,
    /// for cluster-scoped mapping destinations, and that name can change after the account exists.
    /// </summary>
    internal AccountRegistry? Registry { get; set; }

    /// <summary>
    /// Applies the account's subject mappings to a subject a client (or a leaf) published on, as
    /// nats-server does before routing: the subject to deliver on, or null when no mapping
    /// applies. An empty result means the mapping drops the message.
    /// </summary>
    public byte[]? MapSubject(ReadOnlySpan<byte> subject) => _mappings?.Map(subject, Registry?.ClusterName());

    /// <summary>Client connections bound to the account.</summary>
    public int ConnectionCount => Volatile.Read(ref _connections);

    /// <summary>Messages published into the account.</summary>
    public long InMessages => Interlocked.Read(ref _inMessages);

    /// <summary>Payload bytes published into the account.</summary>
    public long InBytes => Interlocked.Read(ref _inBytes);

    /// <summary>
    /// Messages delivered by the account's connections that have closed. Live connections
    /// count their own deliveries (no shared counter on the hot path); the account's total
    /// adds theirs (see <c>/accstatz</c>).
    /// </summary>
    public long OutMessages => Interlocked.Read(ref _outMessages);

    /// <summary>Payload bytes delivered by the account's connections that have closed.</summary>
    public long OutBytes => Interlocked.Read(ref _outBytes);

    internal void AddConnection() => Interlocked.Increment(ref _connections);

    /// <summary>
    /// Counts one more connection unless the account is at <see cref="AccountLimits.MaxConnections"/>
    /// (nats-server's <c>MaxTotalConnectionsReached</c>, checked and counted at once here).
    /// </summary>
    internal bool TryAddConnection()
    {
        while (true)
        {
            var current = Volatile.Read(ref _connections);
            var max = _limits.MaxConnections;
            if (max != AccountLimits.Unlimited && current >= max)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _connections, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    internal void RemoveConnection() => Interlocked.Decrement(ref _connections);

    /// <summary>Leaf node connections bound to the account on this server (listed by <see cref="NatsServer.ListLink"/>).</summary>
    public int LeafConnectionCount => Volatile.Read(ref _leafConnections);

    internal void AddLeafConnection() => Interlocked.Increment(ref _leafConnections);

    internal void RemoveLeafConnection() => Interlocked.Decrement(ref _leafConnections);

    internal void CountIn(long messages, long bytes)
    {
        Interlocked.Add(ref _inMessages, messages);
        Interlocked.Add(ref _inBytes, bytes);
    }

    internal void CountOut(long messages, long bytes)
    {
        Interlocked.Add(ref _outMessages, messages);
        Interlocked.Add(ref _outBytes, bytes);
    }

    /// <summary>
    /// Whether a plugin said the account has <paramref name="capability"/> on this server (see
    /// <see cref="AccountCapabilities"/>): how one plugin learns what another runs for the account
    /// without referencing its types (a leaf link tells its hub whether the account runs JetStream).
    /// </summary>
    public bool HasCapability(string capability) => Array.IndexOf(_capabilities, capability) >= 0;

    /// <summary>
    /// Sets or clears a capability of the account (compared by ordinal name); the plugin that
    /// provides it keeps it current (enabled, disabled on reload, the account removed). Any thread.
    /// </summary>
    public void SetCapability(string capability, bool present)
    {
        ArgumentException.ThrowIfNullOrEmpty(capability);
        lock (_capabilitiesGate)
        {
            var current = _capabilities;
            var has = Array.IndexOf(current, capability) >= 0;
            if (has != present)
            {
                _capabilities = present ? [.. current, capability] : [.. current.Where(c => c != capability)];
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
