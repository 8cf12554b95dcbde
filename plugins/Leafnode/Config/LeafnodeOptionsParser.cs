using System.Globalization;
using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Connections;
using Nats.Core.Security;

namespace Nats.Leafnode.Config;

/// <summary>
/// Reads the <c>leafnodes {}</c> block as nats-server's <c>parseLeafNodes</c>,
/// <c>parseLeafAuthorization</c>, <c>parseLeafUsers</c> and <c>parseRemoteLeafNodes</c> do
/// (same keys, aliases and error texts), then checks it as <c>validateLeafNode</c> does. The
/// first problem throws a <see cref="ConfigException"/> naming the option and its position.
/// </summary>
public static class LeafnodeOptionsParser
{
    /// <summary>Parses and validates the section (null when absent).</summary>
    /// <param name="section">The <c>leafnodes</c> value, or null.</param>
    /// <param name="server">The server's options, for the account checks; null skips them.</param>
    public static LeafnodeOptions Parse(ConfValue? section, ServerOptions? server = null)
    {
        if (section is null)
        {
            return LeafnodeOptions.None;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"Expected map to define a leafnode, got {GoText.TypeName(section)}");
        }
        var options = LeafnodeOptions.None;
        ConfPosition? authPosition = null;
        foreach (var entry in map)
        {
            if (entry.Key.Equals("authorization", StringComparison.OrdinalIgnoreCase))
            {
                authPosition = entry.KeyPosition;
            }
            options = ParseEntry(options, entry);
        }
        if (options.Port != 0 && options.Host.Length == 0)
        {
            options = options with { Host = "0.0.0.0" };   // nats-server's setBaselineOptions
        }
        if (server is not null)
        {
            Validate(options, server, authPosition ?? map.Position, map.Position);
        }
        return options;
    }

    private static LeafnodeOptions ParseEntry(LeafnodeOptions options, ConfEntry entry)
    {
        var value = entry.Value;
        switch (entry.Key.ToLowerInvariant())
        {
            case "listen":
                return Listen(options, entry);
            case "port":
                return options with { Port = value.AsInt() };
            case "host" or "net":
                return options with { Host = value.AsString() };
            case "authorization":
                return Authorization(options, entry);
            case "remotes":
                return options with { Remotes = Remotes(value) };
            case "reconnect" or "reconnect_delay" or "reconnect_interval":
                return options with { ReconnectInterval = TimeSpan.FromSeconds(value.AsLong()) };
            case "tls":
                return options with { Tls = TlsOptionsParser.Parse(value, isClientContext: true) };
            case "leafnode_advertise" or "advertise":
                return options with { Advertise = value.AsString() };
            case "no_advertise":
                return options with { NoAdvertise = value.AsBool() };
            case "min_version" or "minimum_version":
                return options with { MinVersion = MinVersion(entry) };
            default:
                if (value.IsUsedAsVariable)
                {
                    return options;
                }
                throw new ConfigException(entry.KeyPosition, $"unknown field \"{entry.Key}\"");
        }
    }

    // nats-server's parseListen: a port alone, or host:port.
    private static LeafnodeOptions Listen(LeafnodeOptions options, ConfEntry entry) =>
        HostPort.TryParse(entry.Value, out var listen, out var error)
            ? options with { Host = listen.Host, Port = listen.Port }
            : throw new ConfigException(entry.KeyPosition, error!);

    private static LeafnodeOptions Authorization(LeafnodeOptions options, ConfEntry entry)
    {
        foreach (var item in entry.Value.AsMap())
        {
            var value = item.Value;
            options = item.Key.ToLowerInvariant() switch
            {
                "user" or "username" => options with { Username = value.AsString() },
                "pass" or "password" => options with { Password = value.AsString() },
                "nkey" => options with { NKey = PublicNKey(item) },
                // Go takes an integer or a float; any other type leaves 1 second.
                "timeout" => options with { AuthTimeoutSeconds = value is ConfInteger or ConfFloat ? value.AsDouble() : 1 },
                "users" => options with { Users = Users(value) },
                "account" => options with { Account = value.AsString() },
                _ when value.IsUsedAsVariable => options,
                _ => throw new ConfigException(item.KeyPosition, $"unknown field \"{item.Key}\""),
            };
        }
        // validateLeafNodeAuthOptions, reported at the authorization block as nats-server does.
        if (AuthProblem(options) is { } problem)
        {
            throw new ConfigException(entry.KeyPosition, problem);
        }
        return options;
    }

    private static string PublicNKey(ConfEntry item)
    {
        var key = item.Value.AsString();
        if (!NKeys.IsValidPublicUserKey(key))
        {
            throw new ConfigException(item.KeyPosition, "Not a valid public nkey for leafnode authorization");
        }
        return key;
    }

    private static ValueList<LeafUser> Users(ConfValue value)
    {
        if (value is not ConfList list)
        {
            throw new ConfigException(value.Position, $"Expected users field to be an array, got {Describe(value)}");
        }
        var users = new List<LeafUser>();
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                throw new ConfigException(item.Position, $"Expected user entry to be a map/struct, got {Describe(item)}");
            }
            var user = new LeafUser("", "", "");
            foreach (var field in map)
            {
                user = field.Key.ToLowerInvariant() switch
                {
                    "user" or "username" => user with { Username = field.Value.AsString() },
                    "pass" or "password" => user with { Password = field.Value.AsString() },
                    "account" => user with { Account = field.Value.AsString() },
                    _ when field.Value.IsUsedAsVariable => user,
                    _ => throw new ConfigException(field.KeyPosition, $"unknown field \"{field.Key}\""),
                };
            }
            users.Add(user);
        }
        return new ValueList<LeafUser>(users);
    }

    private static ValueList<RemoteLeafOptions> Remotes(ConfValue value)
    {
        if (value is not ConfList list)
        {
            throw new ConfigException(value.Position, $"Expected remotes field to be an array, got {GoText.TypeName(value)}");
        }
        var remotes = new List<RemoteLeafOptions>();
        foreach (var item in list)
        {
            if (item is not ConfMap map)
            {
                throw new ConfigException(item.Position, $"Expected remote leafnode entry to be a map/struct, got {Describe(item)}");
            }
            remotes.Add(Remote(map));
        }
        return new ValueList<RemoteLeafOptions>(remotes);
    }

    private static RemoteLeafOptions Remote(ConfMap map)
    {
        var remote = new RemoteLeafOptions();
        foreach (var field in map)
        {
            var v = field.Value;
            switch (field.Key.ToLowerInvariant())
            {
                case "no_randomize" or "dont_randomize":
                    remote = remote with { NoRandomize = v.AsBool() };
                    break;
                case "url" or "urls":
                    remote = remote with { Urls = Urls(field) };
                    if (remote.Urls.Select(Links.LeafWebSocketDialer.IsWebSocket).Distinct().Count() > 1)
                    {
                        // nats-server's validateLeafNode.
                        var list = string.Join(" ", remote.Urls.Select(u => $"\"{RemoteLeafOptions.Redact(u)}\""));
                        throw new ConfigException(field.KeyPosition, $"remote leaf node configuration cannot have a mix of websocket and non-websocket urls: [{list}]");
                    }
                    break;
                case "account" or "local":
                    remote = remote with { LocalAccount = v.AsString() };
                    break;
                case "creds" or "credentials":
                    if (remote.NKeySeed.Length > 0)
                    {
                        throw new ConfigException(field.KeyPosition, "Remote leafnode can not have both creds and nkey defined");
                    }
                    remote = remote with { Credentials = ExpandPath(v.AsString()) };
                    break;
                case "nkey" or "seed":
                    remote = remote with { NKeySeed = Seed(field, remote) };
                    break;
                case "tls":
                    remote = remote with { Tls = TlsOptionsParser.Parse(v, isClientContext: false) };
                    break;
                case "hub":
                    remote = remote with { Hub = v.AsBool() };
                    break;
                case "deny_imports" or "deny_import":
                    remote = remote with { DenyImports = Subjects(v) };
                    break;
                case "deny_exports" or "deny_export":
                    remote = remote with { DenyExports = Subjects(v) };
                    break;
                case "disabled":
                    remote = remote with { Disabled = v.AsBool() };
                    break;
                case "ws_compress" or "ws_compression" or "websocket_compress" or "websocket_compression":
                    remote = remote with { WebSocketCompression = v.AsBool() };
                    break;
                case "ws_no_masking" or "websocket_no_masking":
                    remote = remote with { WebSocketNoMasking = v.AsBool() };
                    break;
                case "jetstream_cluster_migrate" or "js_cluster_migrate":
                    // Accepted as nats-server does; JetStream migration is not carried here.
                    break;
                default:
                    if (!v.IsUsedAsVariable)
                    {
                        throw new ConfigException(field.KeyPosition, $"unknown field \"{field.Key}\"");
                    }
                    break;
            }
        }
        return remote;
    }

    private static string Seed(ConfEntry field, RemoteLeafOptions remote)
    {
        var seed = field.Value.AsString();
        var isUserSeed = false;
        try
        {
            isUserSeed = NKeys.DecodeSeed(seed).Role == Core.Security.NKeyPrefix.User;
        }
        catch (NKeyException)
        {
        }
        if (!isUserSeed)
        {
            throw new ConfigException(field.KeyPosition, $"Remote leafnode nkey is not a valid seed: \"{seed}\"");
        }
        if (remote.Credentials.Length > 0)
        {
            throw new ConfigException(field.KeyPosition, "Remote leafnode can not have both creds and nkey defined");
        }
        return seed;
    }

    private static ValueList<Uri> Urls(ConfEntry field)
    {
        switch (field.Value)
        {
            case ConfString single:
                return new ValueList<Uri>([ParseUrl(single.Value, field.KeyPosition)]);
            case ConfList list:
                return new ValueList<Uri>(list.Select(item => ParseUrl(item.AsString(), item.Position)));
            default:
                throw new ConfigException(field.KeyPosition, $"Expected remote leafnode url to be an array or string, got {Describe(field.Value)}");
        }
    }

    /// <summary>nats-server's parseURL: trimmed, and parsed leniently.</summary>
    internal static Uri ParseUrl(string text, ConfPosition position)
    {
        var trimmed = text.Trim();
        if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var url) || url.Host.Length == 0)
        {
            throw new ConfigException(position, $"error parsing leafnode url [\"{trimmed}\"]");
        }
        return url;
    }

    // nats-server's parsePermSubjects: a string or an array of strings, each a valid subject.
    private static ValueList<string> Subjects(ConfValue value)
    {
        IEnumerable<ConfValue> items = value is ConfList list ? list : [value];
        var subjects = new List<string>();
        foreach (var item in items)
        {
            if (item is not ConfString text)
            {
                throw new ConfigException(item.Position, $"Subject in permissions array cannot be cast to string");
            }
            if (!Core.Subjects.SubjectValidator.IsValidSubject(text.Value))
            {
                throw new ConfigException(item.Position, $"invalid subject \"{text.Value}\" in permissions");
            }
            subjects.Add(text.Value);
        }
        return new ValueList<string>(subjects);
    }

    // nats-server's expandPath: a leading ~ is the home directory.
    private static string ExpandPath(string path) =>
        path.StartsWith('~') ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..] : path;

    private static string MinVersion(ConfEntry entry)
    {
        var text = entry.Value.AsString();
        var parts = text.Split('.');
        if (parts.Length < 3 || !parts.Take(3).All(p => int.TryParse(p.Split('-')[0], out _)))
        {
            throw new ConfigException(entry.KeyPosition, $"invalid leafnode's minimum version: invalid semver");
        }
        var (major, minor) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
        if (major < 2 || (major == 2 && minor < 8))
        {
            throw new ConfigException(entry.KeyPosition, "the minimum version should be at least 2.8.0");
        }
        return text;
    }

    /// <summary>nats-server's validateLeafNodeAuthOptions.</summary>
    internal static string? AuthProblem(LeafnodeOptions options)
    {
        if (options.Users.Count == 0)
        {
            return null;
        }
        if (options.Username.Length > 0)
        {
            return "can not have a single user/pass and a users array";
        }
        if (options.NKey.Length > 0)
        {
            return "can not have a single nkey and a users array";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in options.Users)
        {
            if (!seen.Add(user.Username))
            {
                return $"duplicate user \"{user.Username}\" detected in leafnode authorization";
            }
        }
        return null;
    }

    /// <summary>nats-server's validateLeafNode, in local (non-operator) configuration.</summary>
    private static void Validate(LeafnodeOptions options, ServerOptions server, ConfPosition authAt, ConfPosition at)
    {
        var accounts = new HashSet<string>(server.Auth.Accounts.Select(a => a.Name), StringComparer.Ordinal)
        {
            "$G",
            "",
        };
        if (!server.Auth.NoSystemAccount)
        {
            accounts.Add(server.Auth.SystemAccount);
        }
        if (!accounts.Contains(options.Account))
        {
            throw new ConfigException(authAt, $"cannot find local account \"{options.Account}\" specified in leafnode authorization");
        }
        foreach (var user in options.Users)
        {
            if (!accounts.Contains(user.Account))
            {
                throw new ConfigException(authAt, $"cannot find local account \"{user.Account}\" specified in leafnode authorization");
            }
        }
        foreach (var remote in options.Remotes)
        {
            if (!accounts.Contains(remote.LocalAccount))
            {
                throw new ConfigException(at, $"cannot find local account \"{remote.LocalAccount}\" specified in leafnode remote");
            }
            if (remote.Urls.Count == 0)
            {
                throw new ConfigException(at, $"remote leafnode has no url");
            }
        }
    }

    private static string Describe(ConfValue value) => value switch
    {
        ConfString s => s.Value,
        ConfInteger or ConfFloat or ConfBool => value.Describe(),
        _ => GoText.TypeName(value),
    };
}
