namespace Nats.Core.Config;

/// <summary>Authentication, users and accounts (<c>authorization {}</c>, <c>accounts {}</c>, CLI auth flags).</summary>
public sealed class AuthOptions
{
    /// <summary>Shared token (<c>authorization { token }</c>, <c>--auth</c>); may be a bcrypt hash.</summary>
    public string? Token { get; set; }

    /// <summary>Single user (<c>authorization { user, password }</c>, <c>--user</c>).</summary>
    public string? Username { get; set; }

    /// <summary>Single user's password (plain or bcrypt).</summary>
    public string? Password { get; set; }

    /// <summary>Permissions of the single user / token connections (<c>authorization { permissions }</c>).</summary>
    public PermissionsConfig? DefaultPermissions { get; set; }

    /// <summary>Users with passwords, from <c>authorization { users }</c> and every account's <c>users</c>.</summary>
    public List<UserConfig> Users { get; set; } = [];

    /// <summary>Users identified by an nkey.</summary>
    public List<NKeyUserConfig> NKeys { get; set; } = [];

    /// <summary><c>authorization { timeout }</c>.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// <c>authorization { chain: [...] }</c> (this server's own key): authenticator names
    /// (<c>nkey</c>, <c>tls-map</c>, <c>user</c>, <c>token</c>, a plugin's such as <c>jwt</c> or
    /// <c>auth_callout</c>) asked first, in this order; the others follow in the default order.
    /// Empty: the default order (built-in schemes, then plugins in plugin order).
    /// </summary>
    public List<string> Chain { get; set; } = [];

    /// <summary><c>no_auth_user</c>: the user a client without credentials becomes.</summary>
    public string? NoAuthUser { get; set; }

    /// <summary>Accounts declared in <c>accounts {}</c>.</summary>
    public List<AccountConfig> Accounts { get; set; } = [];

    /// <summary>Top-level <c>mappings {}</c>: the global account's subject mappings.</summary>
    public List<MappingConfig> Mappings { get; set; } = [];

    /// <summary><c>system_account</c>; nats-server's default is <c>$SYS</c>.</summary>
    public string SystemAccount { get; set; } = "$SYS";

    /// <summary><c>no_system_account</c>.</summary>
    public bool NoSystemAccount { get; set; }

    /// <summary>True when any scheme requires clients to authenticate.</summary>
    public bool IsAuthRequired => Token is not null || Username is not null || Users.Count > 0 || NKeys.Count > 0;

    /// <summary>
    /// nats-server's <c>validateNoAuthUser</c>: why <paramref name="noAuthUser"/> (the server's or a
    /// listener's <c>no_auth_user</c>) cannot stand for these users and nkeys, or null when it can
    /// (or is not set). The texts are nats-server's.
    /// </summary>
    public string? NoAuthUserProblem(string? noAuthUser)
    {
        if (string.IsNullOrEmpty(noAuthUser))
        {
            return null;
        }
        if (Users.Count == 0 && NKeys.Count == 0)
        {
            return $"no_auth_user: \"{noAuthUser}\" present, but users/nkeys are not defined";
        }
        if (Users.Exists(u => u.Username == noAuthUser) || NKeys.Exists(n => n.PublicKey == noAuthUser))
        {
            return null;
        }
        return $"no_auth_user: \"{noAuthUser}\" not present as user or nkey in authorization block or account configuration";
    }
}

/// <summary>A user with a password.</summary>
public sealed class UserConfig
{
    /// <summary>User name.</summary>
    public required string Username { get; set; }

    /// <summary>Plain or bcrypt (<c>$2a$…</c>) password.</summary>
    public string Password { get; set; } = "";

    /// <summary>Account the user belongs to; null for the global account.</summary>
    public string? Account { get; set; }

    /// <summary>Permissions, or null for none.</summary>
    public PermissionsConfig? Permissions { get; set; }

    /// <summary><c>allowed_connection_types</c> (STANDARD, WEBSOCKET, MQTT, LEAFNODE…); empty allows all.</summary>
    public List<string> AllowedConnectionTypes { get; set; } = [];
}

/// <summary>A user identified by a public nkey (<c>U…</c>).</summary>
public sealed class NKeyUserConfig
{
    /// <summary>The user's public nkey.</summary>
    public required string PublicKey { get; set; }

    /// <summary>Account the user belongs to; null for the global account.</summary>
    public string? Account { get; set; }

    /// <summary>Permissions, or null for none.</summary>
    public PermissionsConfig? Permissions { get; set; }

    /// <summary><c>allowed_connection_types</c>.</summary>
    public List<string> AllowedConnectionTypes { get; set; } = [];
}

/// <summary>Publish/subscribe permissions as configured.</summary>
public sealed class PermissionsConfig
{
    /// <summary>Publish allow/deny.</summary>
    public SubjectPermissionConfig? Publish { get; set; }

    /// <summary>Subscribe allow/deny (entries may be <c>"subject queue"</c>).</summary>
    public SubjectPermissionConfig? Subscribe { get; set; }

    /// <summary><c>allow_responses</c>: may publish to reply subjects of requests received.</summary>
    public ResponsePermissionConfig? Responses { get; set; }
}

/// <summary>An allow list and a deny list of subjects.</summary>
public sealed class SubjectPermissionConfig
{
    /// <summary>Allowed subjects; null means everything not denied.</summary>
    public List<string>? Allow { get; set; }

    /// <summary>Denied subjects.</summary>
    public List<string>? Deny { get; set; }
}

/// <summary><c>allow_responses</c>: how many replies and for how long.</summary>
public sealed class ResponsePermissionConfig
{
    /// <summary>Replies allowed per request (<c>max</c>); default 1.</summary>
    public int MaxMessages { get; set; } = 1;

    /// <summary>How long the permission lasts (<c>expires</c>); default 2 minutes.</summary>
    public TimeSpan Expires { get; set; } = TimeSpan.FromMinutes(2);
}

/// <summary>An account from <c>accounts {}</c>.</summary>
public sealed record AccountConfig
{
    /// <summary>Account name.</summary>
    public required string Name { get; set; }

    /// <summary>Streams and services this account offers.</summary>
    public List<ExportConfig> Exports { get; set; } = [];

    /// <summary>Streams and services this account takes from others.</summary>
    public List<ImportConfig> Imports { get; set; } = [];

    /// <summary>Default permissions of the account's users (<c>default_permissions</c>).</summary>
    public PermissionsConfig? DefaultPermissions { get; set; }

    /// <summary>The account's <c>limits {}</c> (max_connections, max_subscriptions, max_payload, max_leafnodes).</summary>
    public Accounts.AccountLimits Limits { get; set; } = Accounts.AccountLimits.None;

    /// <summary>The account's subject mappings (<c>mappings {}</c>, or a JWT's <c>mappings</c>).</summary>
    public List<MappingConfig> Mappings { get; set; } = [];

    /// <summary>
    /// The account JWT this definition was made from (operator mode), null for a configured
    /// account: <c>/accountz</c> and <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.INFO</c> show it, its issuer and its
    /// decoded claims. Not compared when a reload looks for changes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? Jwt { get; set; }

    /// <summary>
    /// Operator mode: the JWT's expiry, validation and revoked users as <c>/accountz</c> shows them,
    /// set with <see cref="Jwt"/>; null for a configured account. Not compared when a reload looks for changes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Accounts.IAccountJwtStatus? JwtStatus { get; set; }

    /// <summary>
    /// JetStream limits the definition itself states (an account JWT's, operator mode): JetStream
    /// runs for the account with these limits; null: the definition states none, and a JWT account
    /// then has no JetStream (a configured account's <c>jetstream</c> key decides for it). The
    /// JetStream plugin applies a change when <see cref="Accounts.AccountRegistry.AccountUpdated"/>
    /// fires. Not compared when a reload looks for changes.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public Accounts.AccountJetStreamLimits? JetStream { get; set; }

    /// <summary>
    /// The keys of the account block the kernel does not read itself (<c>jetstream</c>, say), with
    /// their values and positions, in file order: plugins read them through
    /// <see cref="Plugins.IConfigBus.BindAccountKey"/>, and the config's key-owner table reports
    /// those nobody claims.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<ConfEntry> PluginKeys { get; set; } = [];
}

/// <summary>What an export offers.</summary>
public enum ExportKind
{
    /// <summary>Messages flow to importers.</summary>
    Stream,

    /// <summary>Importers send requests; replies flow back.</summary>
    Service,
}

/// <summary>An export of a stream or service.</summary>
public sealed class ExportConfig
{
    /// <summary>Stream or service.</summary>
    public ExportKind Kind { get; set; }

    /// <summary>Subject (may hold wildcards).</summary>
    public required string Subject { get; set; }

    /// <summary>Accounts allowed to import; empty means public.</summary>
    public List<string> Accounts { get; set; } = [];

    /// <summary>Service response type: Singleton, Stream or Chunked.</summary>
    public string ResponseType { get; set; } = "Singleton";

    /// <summary>
    /// A JWT export's <c>token_req</c>: importers need an activation token (<see cref="Accounts"/> then
    /// lists those holding a valid one). <c>/accountz</c> shows it instead of the approved accounts.
    /// </summary>
    public bool TokenRequired { get; set; }

    /// <summary>A JWT export's revoked activations: importer account (or <c>*</c>) → activations issued at or before this time are revoked.</summary>
    public Dictionary<string, DateTimeOffset> RevokedActivations { get; set; } = [];
}

/// <summary>An import of another account's stream or service.</summary>
public sealed class ImportConfig
{
    /// <summary>Stream or service.</summary>
    public ExportKind Kind { get; set; }

    /// <summary>The exporting account.</summary>
    public required string Account { get; set; }

    /// <summary>The subject in the exporting account.</summary>
    public required string Subject { get; set; }

    /// <summary>Local subject (<c>to</c>, or <c>to</c> built from a stream import's <c>prefix</c>); null keeps the subject.</summary>
    public string? To { get; set; }

    /// <summary>Stream import prefix (<c>prefix</c>).</summary>
    public string? Prefix { get; set; }
}
