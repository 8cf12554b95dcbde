using Nats.Core.Security;

namespace Nats.Core.Config.Binding;

/// <summary>
/// A <c>users [...]</c> list as nats-server's <c>parseUsers</c> reads it: each entry is a user
/// with a password or a user nkey, with optional permissions and allowed connection types.
/// </summary>
internal static class UsersBinder
{
    /// <summary>Connection types nats-server accepts in <c>allowed_connection_types</c>.</summary>
    private static readonly HashSet<string> KnownConnectionTypes =
        ["STANDARD", "WEBSOCKET", "LEAFNODE", "LEAFNODE_WS", "MQTT", "MQTT_WS", "IN_PROCESS"];

    /// <summary>Reads the users; on an entry nats-server rejects outright, the whole list is dropped, as there.</summary>
    public static (List<UserConfig> Users, List<NKeyUserConfig> NKeys) Bind(ConfEntry entry, BindContext ctx)
    {
        var users = new List<UserConfig>();
        var nkeys = new List<NKeyUserConfig>();
        if (entry.Value is not ConfList list)
        {
            ctx.Error(entry, $"Expected users field to be an array, got {GoText.Value(entry.Value)}");
            return (users, nkeys);
        }
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                ctx.Error(item.Position, $"Expected user entry to be a map/struct, got {GoText.Value(item)}");
                continue;
            }
            string? username = null, password = null, nkey = null;
            // nats-server reports an entry's problems at its last field (its "last token"); the
            // nkey field when the nkey itself is wrong.
            var lastField = map.Position;
            var nkeyField = map.Position;
            PermissionsConfig? permissions = null;
            List<string> connectionTypes = [];
            foreach (var field in map)
            {
                lastField = field.KeyPosition;
                switch (field.Key.ToLowerInvariant())
                {
                    case "nkey":
                        nkeyField = field.KeyPosition;
                        ctx.TryString(field, out nkey);
                        break;
                    case "user" or "username":
                        ctx.TryString(field, out username);
                        break;
                    case "pass" or "password":
                        ctx.TryString(field, out password);
                        break;
                    case "permission" or "permissions" or "authorization":
                        permissions = PermissionsBinder.Bind(field, ctx);
                        break;
                    case "allowed_connection_types" or "connection_types" or "clients":
                        connectionTypes = ConnectionTypes(field, ctx);
                        break;
                    case "proxy_required":
                        ctx.NotSupported(field);
                        break;
                    default:
                        ctx.Unknown(field);
                        break;
                }
            }
            if (string.IsNullOrEmpty(nkey) && string.IsNullOrEmpty(username))
            {
                ctx.Error(lastField, "User entry requires a user");
                return ([], []);
            }
            if (!string.IsNullOrEmpty(nkey))
            {
                if (!NKeys.IsValidPublicUserKey(nkey))
                {
                    ctx.Error(nkeyField, "Not a valid public nkey for a user");
                    return ([], []);
                }
                if (!string.IsNullOrEmpty(username) || !string.IsNullOrEmpty(password))
                {
                    ctx.Error(lastField, "Nkey users do not take usernames or passwords");
                    return ([], []);
                }
                nkeys.Add(new NKeyUserConfig { PublicKey = nkey, Permissions = permissions, AllowedConnectionTypes = connectionTypes });
            }
            else
            {
                users.Add(new UserConfig { Username = username!, Password = password ?? "", Permissions = permissions, AllowedConnectionTypes = connectionTypes });
            }
        }
        return (users, nkeys);
    }

    /// <summary>nats-server's <c>applyDefaultPermissions</c>: users without their own permissions get the defaults.</summary>
    public static void ApplyDefaultPermissions(IEnumerable<UserConfig> users, IEnumerable<NKeyUserConfig> nkeys, PermissionsConfig? defaults)
    {
        if (defaults is null)
        {
            return;
        }
        foreach (var user in users)
        {
            user.Permissions ??= defaults;
        }
        foreach (var nkey in nkeys)
        {
            nkey.Permissions ??= defaults;
        }
    }

    private static List<string> ConnectionTypes(ConfEntry entry, BindContext ctx)
    {
        List<string> types = [];
        switch (entry.Value)
        {
            case ConfString s:
                types.Add(s.Value);
                break;
            case ConfList list:
                foreach (var item in list)
                {
                    if (item is ConfString type)
                    {
                        types.Add(type.Value);
                    }
                    else
                    {
                        ctx.Error(item.Position, $"error parsing allowed connection types: unsupported type in array {GoText.TypeName(item)}");
                    }
                }
                break;
            default:
                ctx.Error(entry, $"error parsing allowed connection types: unsupported type {GoText.TypeName(entry.Value)}");
                return [];
        }
        var normalized = types.Select(t => t.ToUpperInvariant()).Distinct().ToList();
        var unknown = normalized.Where(t => !KnownConnectionTypes.Contains(t)).ToList();
        if (unknown.Count > 0)
        {
            // Go prints the slice with %q: ["FOO" "BAR"].
            ctx.Error(entry, $"invalid connection types [{string.Join(' ', unknown.Select(u => $"\"{u}\""))}]");
        }
        return normalized.Where(KnownConnectionTypes.Contains).ToList();
    }
}
