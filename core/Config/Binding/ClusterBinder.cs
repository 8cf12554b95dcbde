using Nats.Core.Connections;

namespace Nats.Core.Config.Binding;

/// <summary>
/// <c>cluster { name, listen, host, port, advertise, no_advertise, routes, authorization,
/// connect_retries, pool_size, tls }</c> as nats-server's <c>parseCluster</c> reads it.
/// </summary>
internal static class ClusterBinder
{
    public static void Bind(ConfEntry entry, ClusterOptions cluster, BindContext ctx)
    {
        if (entry.Value is not ConfMap map)
        {
            ctx.Error(entry, $"Expected map to define cluster, got {GoText.TypeName(entry.Value)}");
            return;
        }
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "name":
                    if (ctx.TryString(item, out var name))
                    {
                        if (name.Contains(' '))
                        {
                            ctx.Error(item, "cluster name cannot contain spaces");
                            continue;
                        }
                        cluster.Name = name;
                    }
                    break;
                case "listen":
                    if (!HostPort.TryParse(item.Value, out var listen, out var error))
                    {
                        ctx.Error(item, error!);
                        continue;
                    }
                    cluster.Host = listen.Host;
                    cluster.Port = listen.Port;
                    break;
                case "port":
                    if (ctx.TryInt(item, out var port))
                    {
                        cluster.Port = port;
                    }
                    break;
                case "host" or "net":
                    if (ctx.TryString(item, out var host))
                    {
                        cluster.Host = host;
                    }
                    break;
                case "authorization":
                    BindAuthorization(item, cluster, ctx);
                    break;
                case "routes":
                    BindRoutes(item, cluster, ctx);
                    break;
                case "cluster_advertise" or "advertise":
                    if (ctx.TryString(item, out var advertise))
                    {
                        cluster.Advertise = advertise;
                    }
                    break;
                case "no_advertise":
                    if (ctx.TryBool(item, out var noAdvertise))
                    {
                        cluster.NoAdvertise = noAdvertise;
                    }
                    break;
                case "connect_retries":
                    if (ctx.TryInt(item, out var retries))
                    {
                        cluster.ConnectRetries = retries;
                    }
                    break;
                case "pool_size":
                    if (ctx.TryInt(item, out var poolSize))
                    {
                        cluster.PoolSize = poolSize;
                    }
                    break;
                case "tls":
                    BindTls(item, cluster, ctx);
                    break;
                case "permissions" or "accounts" or "compression" or "connect_backoff"
                    or "ping_interval" or "ping_max" or "write_deadline" or "write_timeout":
                    ctx.NotSupported(item, "cluster");
                    break;
                default:
                    ctx.Unknown(item);
                    break;
            }
        }
    }

    private static void BindAuthorization(ConfEntry item, ClusterOptions cluster, BindContext ctx)
    {
        if (AuthorizationBinder.Bind(item, ctx) is not { } auth)
        {
            return;
        }
        if (auth.Users is not null)
        {
            ctx.Error(item, "Cluster authorization does not allow multiple users");
            return;
        }
        if (!string.IsNullOrEmpty(auth.Token))
        {
            ctx.Error(item, "Cluster authorization does not support tokens");
            return;
        }
        if (auth.Callout is not null)
        {
            ctx.Error(item, "Cluster authorization does not support callouts");
            return;
        }
        if (auth.Chain.Count > 0)
        {
            // Routes authenticate with the one user the block names: there is no chain to order.
            ctx.Error(item, "Cluster authorization does not support an authenticator chain");
            return;
        }
        cluster.Username = string.IsNullOrEmpty(auth.User) ? null : auth.User;
        cluster.Password = string.IsNullOrEmpty(auth.Password) ? null : auth.Password;
        if (auth.TimeoutSeconds > 0)
        {
            cluster.AuthTimeout = TimeSpan.FromSeconds(auth.TimeoutSeconds);
        }
        if (auth.DefaultPermissions is not null)
        {
            ctx.Warn(item.KeyPosition, item.Key, "setting \"permissions\" within cluster authorization block is deprecated");
        }
    }

    // nats-server's getTLSConfig: the shared tls grammar, in a server-to-server context.
    private static void BindTls(ConfEntry item, ClusterOptions cluster, BindContext ctx)
    {
        var warnings = new List<string>();
        try
        {
            cluster.Tls = TlsOptionsParser.Parse(item.Value, isClientContext: false, warnings);
        }
        catch (ConfigException e)
        {
            ctx.Error(e.Position, e.Reason, item.Key);
            return;
        }
        foreach (var warning in warnings)
        {
            // The parser's warnings already start with the setting's position.
            ctx.Warnings.Add(new ConfigDiagnostic(item.KeyPosition, item.Key, warning, warning));
        }
    }

    private static void BindRoutes(ConfEntry item, ClusterOptions cluster, BindContext ctx)
    {
        if (!ctx.TryList(item, out var list))
        {
            return;
        }
        var routes = new List<Uri>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in list)
        {
            if (value is not ConfString text)
            {
                ctx.Error(value.Position, $"routes: expected a URL, got {value.Describe()}");
                continue;
            }
            if (!seen.Add(text.Value))
            {
                ctx.Warnings.Add(ConfigDiagnostic.InvalidUse(value.Position, text.Value, "Duplicate route entry detected"));
                continue;
            }
            if (!TryParseRoute(text.Value, out var uri))
            {
                ctx.Error(value.Position, $"error parsing route url [\"{text.Value.Trim()}\"]");
                continue;
            }
            routes.Add(uri);
        }
        cluster.Routes = routes;
    }

    /// <summary>A route URL such as <c>nats-route://user:pass@host:6222</c>.</summary>
    public static bool TryParseRoute(string text, out Uri uri) =>
        Uri.TryCreate(text.Trim(), UriKind.Absolute, out uri!) && !string.IsNullOrEmpty(uri.Host);
}
