namespace Nats.Core.Accounts;

/// <summary>
/// Well-known names for <see cref="Account.HasCapability"/>: what a plugin runs for an account on
/// this server, set by that plugin and read by others, which talk to it over subjects and never
/// reference its types. A third-party plugin may add its own names (prefix them with its own).
/// </summary>
/// <example>
/// <code>
/// // The JetStream plugin, enabling an account:
/// account.SetCapability(AccountCapabilities.JetStream, true);
/// // A leaf link, telling its hub (nats-server's CONNECT "jetstream"):
/// var jetStream = account.HasCapability(AccountCapabilities.JetStream);
/// </code>
/// </example>
public static class AccountCapabilities
{
    /// <summary>JetStream is enabled for the account here (it has its own streams and API on this server).</summary>
    public const string JetStream = "jetstream";
}
