using Nats.Core.Config;

namespace Nats.AuthJwt.Config;

/// <summary>nats-server's parsing of <c>resolver</c> (aliases <c>account_resolver</c>, <c>accounts_resolver</c>), with its error texts.</summary>
public static class ResolverOptionsParser
{
    private const string Unrecognized =
        "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])";

    /// <exception cref="ConfigException">A value nats-server rejects; positioned at the value.</exception>
    public static ResolverOptions Parse(ConfValue value) => value switch
    {
        ConfString s => ParseString(s),
        ConfMap map => ParseMap(map),
        _ => throw new ConfigException(value.Position, $"error parsing operator resolver, wrong type {value.Describe()}"),
    };

    private static ResolverOptions ParseString(ConfString value)
    {
        var text = value.Value.Trim();
        // nats-server matches MEM anywhere in the string, so URL("http://memory/") became a memory
        // resolver; only the whole word counts here.
        if (text.Equals("MEM", StringComparison.OrdinalIgnoreCase) || text.Equals("MEMORY", StringComparison.OrdinalIgnoreCase))
        {
            return new MemoryResolverOptions();
        }
        if (text.StartsWith("URL", StringComparison.OrdinalIgnoreCase))
        {
            var rest = text[3..].Trim();
            if (rest.StartsWith('(') && rest.EndsWith(')'))
            {
                var url = rest[1..^1].Trim().Trim('"').Trim();
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ConfigException(value.Position, $"error parsing account resolver url [\"{url}\"]");
                }
                return new UrlResolverOptions(url.EndsWith('/') ? url : url + "/");
            }
        }
        throw new ConfigException(value.Position, Unrecognized);
    }

    private static ResolverOptions ParseMap(ConfMap map)
    {
        string? dir = null;
        string? type = null;
        var allowDelete = false;
        bool? hardDelete = null;
        long limit = 0;
        var ttl = TimeSpan.Zero;
        var interval = TimeSpan.Zero;
        TimeSpan? timeout = null;
        foreach (var entry in map)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "dir":
                    dir = entry.Value.AsString();
                    break;
                case "type":
                    type = entry.Value.AsString();
                    break;
                case "allow_delete":
                    allowDelete = entry.Value.AsBool();
                    break;
                case "hard_delete":
                    hardDelete = entry.Value.AsBool();
                    break;
                case "limit":
                    limit = entry.Value.AsLong();
                    break;
                case "ttl":
                    ttl = GoDurationString(entry.Value);
                    break;
                case "interval":
                    interval = GoDurationString(entry.Value);
                    break;
                case "timeout":
                    timeout = GoDurationString(entry.Value);
                    if (timeout <= TimeSpan.Zero)
                    {
                        throw new ConfigException(map.Position, $"Fetch timeout {GoFormatDuration(timeout.Value)} is too smal");
                    }
                    break;
            }
        }
        switch ((type ?? "").ToUpperInvariant())
        {
            case "CACHE":
                CheckDir(map, dir);
                if (interval != TimeSpan.Zero)
                {
                    throw new ConfigException(map.Position, "CACHE does not accept sync");
                }
                if (allowDelete)
                {
                    throw new ConfigException(map.Position, "CACHE does not accept allow_delete");
                }
                if (hardDelete is not null)
                {
                    throw new ConfigException(map.Position, "CACHE does not accept hard_delete");
                }
                return new DirectoryResolverOptions
                {
                    IsCache = true, Directory = dir!, Limit = limit <= 0 ? 1_000 : limit, Ttl = ttl,
                    Delete = DeleteMode.HardDelete, FetchTimeout = timeout ?? UrlResolverOptions.DefaultTimeout,
                };
            case "FULL":
                CheckDir(map, dir);
                if (ttl != TimeSpan.Zero)
                {
                    throw new ConfigException(map.Position, "FULL does not accept ttl");
                }
                if (hardDelete is not null && !allowDelete)
                {
                    throw new ConfigException(map.Position, "hard_delete has no effect without delete");
                }
                return new DirectoryResolverOptions
                {
                    IsCache = false, Directory = dir!, Limit = limit == 0 ? long.MaxValue : limit,
                    SyncInterval = interval <= TimeSpan.Zero ? TimeSpan.FromMinutes(1) : interval,
                    Delete = !allowDelete ? DeleteMode.NoDelete : hardDelete == true ? DeleteMode.HardDelete : DeleteMode.RenameDeleted,
                    FetchTimeout = timeout ?? UrlResolverOptions.DefaultTimeout,
                };
            case "MEM" or "MEMORY":
                return new MemoryResolverOptions();
            default:
                throw new ConfigException(map.Position, Unrecognized);
        }
    }

    private static void CheckDir(ConfMap map, string? dir)
    {
        if (string.IsNullOrEmpty(dir))
        {
            throw new ConfigException(map.Position, "dir has no value and needs to point to a directory");
        }
        if (File.Exists(dir))
        {
            throw new ConfigException(map.Position, "dir needs to point to an accessible directory");
        }
    }

    // nats-server reads these with time.ParseDuration on a string: no bare seconds here.
    private static TimeSpan GoDurationString(ConfValue value)
    {
        var text = value.AsString();
        return GoDuration.TryParseNanoseconds(text, out var ns, out var error)
            ? GoDuration.ToTimeSpan(ns)
            : throw new ConfigException(value.Position, error!);
    }

    private static string GoFormatDuration(TimeSpan value) => value == TimeSpan.Zero ? "0s" : $"{value.TotalSeconds}s";
}
