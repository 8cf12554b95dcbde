using System.Globalization;

namespace Nats.Core.Config.Binding;

/// <summary>
/// An <c>authorization { }</c> block (top level or inside <c>cluster</c>) as nats-server's
/// <c>parseAuthorization</c> reads it. The caller decides which parts its place allows.
/// </summary>
internal static class AuthorizationBinder
{
    /// <summary>What the block said; <see cref="Users"/> is null when there was no <c>users</c> key.</summary>
    internal sealed class Block
    {
        public string? User { get; set; }

        public string? Password { get; set; }

        public string? Token { get; set; }

        /// <summary>Seconds; 0 when not given.</summary>
        public double TimeoutSeconds { get; set; }

        public List<UserConfig>? Users { get; set; }

        public List<NKeyUserConfig> NKeys { get; set; } = [];

        public PermissionsConfig? DefaultPermissions { get; set; }

        public ConfEntry? Callout { get; set; }

        /// <summary><c>chain</c>: authenticator names asked first, in order; empty when not given.</summary>
        public List<string> Chain { get; set; } = [];
    }

    public static Block? Bind(ConfEntry entry, BindContext ctx)
    {
        if (!ctx.TryMap(entry, out var map))
        {
            return null;
        }
        var block = new Block();
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "user" or "username":
                    block.User = ctx.TryString(item, out var user) ? user : block.User;
                    break;
                case "pass" or "password":
                    block.Password = ctx.TryString(item, out var password) ? password : block.Password;
                    break;
                case "token":
                    block.Token = ctx.TryString(item, out var token) ? token : block.Token;
                    break;
                case "timeout":
                    if (TryTimeout(item, ctx, out var seconds))
                    {
                        block.TimeoutSeconds = seconds;
                    }
                    break;
                case "users":
                    (block.Users, block.NKeys) = UsersBinder.Bind(item, ctx);
                    break;
                case "default_permission" or "default_permissions" or "permissions":
                    block.DefaultPermissions = PermissionsBinder.Bind(item, ctx);
                    break;
                case "auth_callout" or "auth_hook":
                    block.Callout = item;
                    ctx.NotSupported(item);
                    break;
                case "chain":
                    block.Chain = BindChain(item, ctx);
                    break;
                case "proxy_required":
                    ctx.NotSupported(item);
                    break;
                default:
                    ctx.Unknown(item);
                    break;
            }
        }
        UsersBinder.ApplyDefaultPermissions(block.Users ?? [], block.NKeys, block.DefaultPermissions);
        return block;
    }

    /// <summary>The top-level <c>authorization</c> block, with nats-server's checks against accounts' users.</summary>
    public static void BindTopLevel(ConfEntry entry, AuthOptions auth, BindContext ctx)
    {
        if (Bind(entry, ctx) is not { } block)
        {
            return;
        }
        auth.Username = NullIfEmpty(block.User);
        auth.Password = NullIfEmpty(block.Password);
        auth.Token = NullIfEmpty(block.Token);
        auth.DefaultPermissions = block.DefaultPermissions;
        auth.Chain = block.Chain;
        if (block.TimeoutSeconds > 0)
        {
            auth.Timeout = TimeSpan.FromSeconds(block.TimeoutSeconds);
        }
        if ((auth.Username is not null || auth.Password is not null) && auth.Token is not null)
        {
            ctx.Error(entry, "Cannot have a user/pass and token");
            return;
        }
        // Users may already have come from accounts {}: names must be unique across both.
        var taken = new HashSet<string>(auth.Users.Select(u => u.Username).Concat(auth.NKeys.Select(n => n.PublicKey)), StringComparer.Ordinal);
        if (block.Users is not null || taken.Count > 0)
        {
            if (auth.Username is not null)
            {
                ctx.Error(entry, "Can not have a single user/pass and a users array");
                return;
            }
            if (auth.Token is not null)
            {
                ctx.Error(entry, "Can not have a token and a users array");
                return;
            }
            foreach (var user in block.Users ?? [])
            {
                if (!taken.Add(user.Username))
                {
                    ctx.Error(entry, $"Duplicate user \"{user.Username}\" detected");
                    return;
                }
            }
            auth.Users.AddRange(block.Users ?? []);
        }
        foreach (var nkey in block.NKeys)
        {
            if (!taken.Add(nkey.PublicKey))
            {
                ctx.Error(entry, $"Duplicate nkey \"{nkey.PublicKey}\" detected");
                return;
            }
        }
        auth.NKeys.AddRange(block.NKeys);
    }

    // A list of authenticator names, each once. Whether each names an authenticator in force is
    // known only when the chain is built (plugins add theirs): AuthService checks that.
    private static List<string> BindChain(ConfEntry item, BindContext ctx)
    {
        var names = new List<string>();
        if (item.Value is not ConfList array)
        {
            ctx.Error(item, "error parsing authorization config, 'chain' must be a list of authenticator names");
            return names;
        }
        foreach (var element in array)
        {
            if (element is not ConfString { Value: { Length: > 0 } name })
            {
                ctx.Error(item, "error parsing authorization config, 'chain' must be a list of authenticator names");
                return [];
            }
            if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                ctx.Error(item, $"error parsing authorization config, 'chain' names \"{name}\" twice");
                return [];
            }
            names.Add(name);
        }
        return names;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    // Seconds as a number, or a Go duration string; over a minute is suspicious (an unquoted 1m is 1,000,000).
    private static bool TryTimeout(ConfEntry item, BindContext ctx, out double seconds)
    {
        seconds = 0;
        switch (item.Value)
        {
            case ConfInteger or ConfFloat:
                seconds = item.Value.AsDouble();
                break;
            case ConfString s:
                if (!GoDuration.TryParseNanoseconds(s.Value, out var nanoseconds, out var error))
                {
                    ctx.Error(item, $"error parsing authorization config, 'timeout' {error}");
                    return false;
                }
                seconds = nanoseconds / 1e9;
                break;
            default:
                ctx.Error(item, "error parsing authorization config, 'timeout' wrong type");
                return false;
        }
        if (seconds > 60)
        {
            ctx.Warn(item.KeyPosition, item.Key,
                $"timeout of {item.Value} ({seconds.ToString("F6", CultureInfo.InvariantCulture)} seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example");
        }
        return true;
    }
}
