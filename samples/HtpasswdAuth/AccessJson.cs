using Nats.Core.Accounts;
using Nats.Core.Config;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace HtpasswdAuth;

/// <summary>
/// The optional access file: JSON that binds users of the htpasswd file to an account and
/// permissions, so that a provisioning tool can manage it without writing server config.
/// </summary>
/// <example>
/// <code>
/// {
///   "alice": { "account": "ORDERS", "permissions": { "publish": ["orders.>"], "subscribe": { "allow": ["orders.>", "_INBOX.>"] } } },
///   "bob":   { "permissions": { "publish": { "deny": ["admin.>"] } } }
/// }
/// </code>
/// </example>
public static class AccessJson
{
    /// <summary>
    /// Parses <paramref name="json"/> into account and permissions per user. Every user must be in
    /// <paramref name="users"/> and every account in <paramref name="accounts"/>: a typo would
    /// otherwise silently leave a user in the global account without restrictions.
    /// </summary>
    public static IReadOnlyDictionary<string, (string? Account, PermissionsConfig? Permissions)> Parse(
        string json, string path, ConfPosition option, IReadOnlyDictionary<string, string> users, AccountRegistry accounts)
    {
        Dictionary<string, Entry>? entries;
        try
        {
            entries = JsonConvert.DeserializeObject<Dictionary<string, Entry>>(json);
        }
        catch (JsonException e)
        {
            throw new ConfigException(option, $"htpasswd.access: {path}: {e.Message}");
        }
        var result = new Dictionary<string, (string?, PermissionsConfig?)>(StringComparer.Ordinal);
        foreach (var (user, entry) in entries ?? [])
        {
            if (!users.ContainsKey(user))
            {
                throw new ConfigException(option, $"htpasswd.access: {path}: user \"{user}\" is not in the htpasswd file");
            }
            if (entry.Account is { } account && accounts.Find(account) is null)
            {
                throw new ConfigException(option, $"htpasswd.access: {path}: user \"{user}\": account \"{account}\" is not defined");
            }
            var permissions = entry.Permissions is null ? null : new PermissionsConfig
            {
                Publish = Subjects(entry.Permissions.Publish, option, path, user),
                Subscribe = Subjects(entry.Permissions.Subscribe, option, path, user),
            };
            result[user] = (entry.Account, permissions);
        }
        return result;
    }

    // As in nats-server's permissions: a subject or a list means "allow these", a map has allow and/or deny.
    private static SubjectPermissionConfig? Subjects(JToken? token, ConfPosition option, string path, string user) => token switch
    {
        null or { Type: JTokenType.Null } => null,
        JObject map => new SubjectPermissionConfig
        {
            Allow = map["allow"] is { } allow ? Strings(allow, option, path, user) : null,
            Deny = map["deny"] is { } deny ? Strings(deny, option, path, user) : null,
        },
        _ => new SubjectPermissionConfig { Allow = Strings(token, option, path, user) },
    };

    private static List<string> Strings(JToken token, ConfPosition option, string path, string user) => token switch
    {
        JValue { Type: JTokenType.String } one => [(string)one!],
        JArray list when list.All(t => t.Type == JTokenType.String) => [.. list.Select(t => (string)t!)],
        _ => throw new ConfigException(option, $"htpasswd.access: {path}: user \"{user}\": expected subjects, got {token.Type}"),
    };

    private sealed class Entry
    {
        [JsonProperty("account")]
        public string? Account { get; set; }

        [JsonProperty("permissions")]
        public PermissionsEntry? Permissions { get; set; }
    }

    private sealed class PermissionsEntry
    {
        [JsonProperty("publish")]
        public JToken? Publish { get; set; }

        [JsonProperty("subscribe")]
        public JToken? Subscribe { get; set; }
    }
}
