using Nats.Core.Security;

namespace Nats.Core.Config.Binding;

/// <summary>
/// <c>accounts { NAME { users, nkey, imports, exports, default_permissions, limits, mappings } }</c> (or a plain
/// list of names) as nats-server's <c>parseAccounts</c> reads it. Users land in
/// <see cref="AuthOptions.Users"/>/<see cref="AuthOptions.NKeys"/> with their account set.
/// </summary>
internal static class AccountsBinder
{
    /// <summary>nats-server reserves the global account's name.</summary>
    private const string GlobalAccount = "$G";

    public static void Bind(ConfEntry entry, AuthOptions auth, BindContext ctx)
    {
        switch (entry.Value)
        {
            case ConfList names:
                BindNames(names, auth, ctx);
                break;
            case ConfMap map:
                BindMap(map, auth, ctx);
                break;
            default:
                ctx.Error(entry, $"accounts: expected a map or an array, got {entry.Value.Describe()}");
                break;
        }
    }

    private static void BindNames(ConfList names, AuthOptions auth, BindContext ctx)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in names)
        {
            if (item is not ConfString name)
            {
                ctx.Error(item.Position, $"accounts: expected an account name, got {item.Describe()}");
                continue;
            }
            if (name.Value == GlobalAccount)
            {
                ctx.Error(item.Position, $"\"{name.Value}\" is a Reserved Account");
                continue;
            }
            if (!seen.Add(name.Value))
            {
                ctx.Error(item.Position, $"Duplicate Account Entry: {name.Value}");
                continue;
            }
            auth.Accounts.Add(new AccountConfig { Name = name.Value });
        }
    }

    private static void BindMap(ConfMap map, AuthOptions auth, BindContext ctx)
    {
        var errorsBefore = ctx.Errors.Count;
        var taken = UserNames(auth);
        var exports = new List<(AccountConfig Account, ExportConfig Export, ConfPosition Position)>();
        var imports = new List<(AccountConfig Account, ImportConfig Import, ConfPosition Position)>();
        foreach (var accountEntry in map)
        {
            // A key defined only to be used as a $variable is not an account.
            if (accountEntry.Value.IsUsedAsVariable)
            {
                continue;
            }
            if (accountEntry.Value is not ConfMap body)
            {
                ctx.Error(accountEntry, "Expected map entries for accounts");
                continue;
            }
            if (accountEntry.Key == GlobalAccount)
            {
                ctx.Error(accountEntry, $"\"{accountEntry.Key}\" is a Reserved Account");
                continue;
            }
            var account = new AccountConfig { Name = accountEntry.Key };
            auth.Accounts.Add(account);
            List<UserConfig> users = [];
            List<NKeyUserConfig> nkeys = [];
            ConfPosition usersPosition = accountEntry.KeyPosition;
            List<ConfEntry> pluginKeys = [];
            foreach (var item in body)
            {
                switch (item.Key.ToLowerInvariant())
                {
                    case "nkey":
                        if (item.Value is not ConfString key || !NKeys.IsValidPublicAccountKey(key.Value))
                        {
                            ctx.Error(item, $"Not a valid public nkey for an account: \"{item.Value}\"");
                        }
                        break;
                    case "imports":
                        foreach (var import in ImportExportBinder.BindImports(item, ctx))
                        {
                            account.Imports.Add(import.Import);
                            imports.Add((account, import.Import, import.Position));
                        }
                        break;
                    case "exports":
                        foreach (var export in ImportExportBinder.BindExports(item, ctx))
                        {
                            account.Exports.Add(export.Export);
                            exports.Add((account, export.Export, export.Position));
                        }
                        break;
                    case "users":
                        usersPosition = item.KeyPosition;
                        (users, nkeys) = UsersBinder.Bind(item, ctx);
                        break;
                    case "default_permissions":
                        account.DefaultPermissions = PermissionsBinder.Bind(item, ctx);
                        break;
                    case "limits":
                        account.Limits = AccountLimitsBinder.Bind(item, ctx);
                        break;
                    case "mappings" or "maps":
                        account.Mappings.AddRange(MappingsBinder.Bind(item, ctx));
                        break;
                    case "msg_trace" or "trace_dest":
                        ctx.NotSupported(item, $"accounts.{account.Name}");
                        break;
                    // Keys the kernel does not read go to plugins (IConfigBus.BindAccountKey);
                    // reporting them stays as it was until the config's key-owner table decides.
                    case "jetstream":
                        pluginKeys.Add(item);
                        ctx.NotSupported(item, $"accounts.{account.Name}");
                        break;
                    default:
                        pluginKeys.Add(item);
                        ctx.Unknown(item);
                        break;
                }
            }
            account.PluginKeys = pluginKeys;
            if (users.Count > 0 || nkeys.Count > 0)
            {
                if (auth.Username is not null)
                {
                    ctx.Error(usersPosition, "Can not have a single user/pass and accounts");
                    continue;
                }
                if (auth.Token is not null)
                {
                    ctx.Error(usersPosition, "Can not have a token and accounts");
                    continue;
                }
            }
            UsersBinder.ApplyDefaultPermissions(users, nkeys, account.DefaultPermissions);
            foreach (var nkey in nkeys)
            {
                if (!taken.Add(nkey.PublicKey))
                {
                    ctx.Error(usersPosition, $"Duplicate nkey \"{nkey.PublicKey}\" detected");
                }
                nkey.Account = account.Name;
            }
            auth.NKeys.AddRange(nkeys);
            foreach (var user in users)
            {
                if (!taken.Add(user.Username))
                {
                    ctx.Error(usersPosition, $"Duplicate user \"{user.Username}\" detected");
                }
                user.Account = account.Name;
            }
            auth.Users.AddRange(users);
        }
        // As nats-server: only check cross-account references when the accounts themselves are sound.
        if (ctx.Errors.Count == errorsBefore)
        {
            CheckReferences(auth, exports, imports, ctx);
        }
    }

    private static void CheckReferences(
        AuthOptions auth,
        List<(AccountConfig Account, ExportConfig Export, ConfPosition Position)> exports,
        List<(AccountConfig Account, ImportConfig Import, ConfPosition Position)> imports,
        BindContext ctx)
    {
        var names = auth.Accounts.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (_, export, position) in exports)
        {
            var kind = Kind(export.Kind);
            foreach (var name in export.Accounts.Where(n => !names.Contains(n)))
            {
                ctx.Error(position, $"\"{name}\" account not defined for {kind} export");
            }
        }
        foreach (var (_, import, position) in imports)
        {
            if (!names.Contains(import.Account))
            {
                ctx.Error(position, $"\"{import.Account}\" account not defined for {Kind(import.Kind)} import");
            }
        }
    }

    private static string Kind(ExportKind kind) => kind == ExportKind.Stream ? "stream" : "service";

    private static HashSet<string> UserNames(AuthOptions auth)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        names.UnionWith(auth.Users.Select(u => u.Username));
        names.UnionWith(auth.NKeys.Select(n => n.PublicKey));
        return names;
    }
}
