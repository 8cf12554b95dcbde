using Nats.Core.Config;

namespace Nats.Core.Monitoring;

/// <summary><c>/varz</c>, as nats-server's <c>createVarz</c> and <c>updateVarzRuntimeFields</c> fill it.</summary>
internal static class VarzEndpoint
{
    // nats-server's default tls_timeout, reported when client TLS is off.
    private const double DefaultTlsTimeoutSeconds = 2;

    public static MonitoringResponse Handle(NatsServer server, MonitoringServer monitoring, ProcessUsage usage) =>
        MonitoringResponse.Json(Build(server, monitoring, usage));

    public static Varz Build(NatsServer server, MonitoringServer monitoring, ProcessUsage usage)
    {
        var options = server.Options;
        // INFO (identity, ports, auth) exists once the server started.
        var info = server.Info ?? throw new MonitoringException("server not started", 503);
        var now = DateTime.UtcNow;
        var statistics = server.Statistics;

        long outMessages, outBytes;
        var connections = 0;
        lock (server.ConnectionTotalsLock)
        {
            outMessages = statistics.ClosedOutMessages;
            outBytes = statistics.ClosedOutBytes;
            foreach (var client in server.Clients)
            {
                connections++;
                outMessages += client.OutMessages;
                outBytes += client.OutBytes;
            }
        }
        uint subscriptions = 0;
        foreach (var account in server.Accounts.All)
        {
            subscriptions += (uint)account.Sublist.Count;
        }

        var varz = new Varz
        {
            ServerId = server.ServerId,
            ServerName = server.Name,
            Version = info.Version,
            ServerVersion = ServerVersion.Product,
            Proto = info.Proto,
            GitCommit = info.GitCommit,
            Go = info.Go,
            Host = info.Host,
            Port = info.Port,
            AuthRequired = info.AuthRequired ? true : null,
            TlsRequired = info.TlsRequired ? true : null,
            TlsVerify = info.TlsVerify ? true : null,
            ConnectUrls = info.ConnectUrls.Count > 0 ? [.. info.ConnectUrls] : null,
            MaxConnections = options.MaxConnections,
            MaxSubscriptions = options.MaxSubscriptions > 0 ? options.MaxSubscriptions : null,
            PingInterval = options.PingInterval,
            PingMax = options.MaxPingsOut,
            HttpHost = options.Monitoring.Host ?? options.Host,
            HttpPort = monitoring.Port,
            HttpBasePath = monitoring.BasePath,
            AuthTimeout = options.Auth.Timeout.TotalSeconds,
            MaxControlLine = options.MaxControlLine,
            MaxPayload = options.MaxPayload,
            MaxPending = options.MaxPending,
            Cluster = DescribeCluster(options.Cluster, info.Cluster, server.Tls.Get(Security.Tls.TlsStore.ClusterSet)),
            TlsTimeout = server.Tls.Get(Security.Tls.TlsStore.ClientSet)?.Timeout.TotalSeconds ?? DefaultTlsTimeoutSeconds,
            WriteDeadline = options.WriteDeadline,
            Start = server.StartTime,
            Now = now,
            Uptime = GoFormat.Uptime(now - server.StartTime),
            Mem = ProcessUsage.ResidentBytes,
            Cores = Environment.ProcessorCount,
            MaxProcs = Environment.ProcessorCount,
            Cpu = usage.CpuPercent(),
            Connections = connections,
            TotalConnections = statistics.TotalConnections,
            InMsgs = statistics.InMessages,
            InBytes = statistics.InBytes,
            OutMsgs = outMessages,
            OutBytes = outBytes,
            SlowConsumers = statistics.SlowConsumers,
            StaleConnections = statistics.StaleConnections,
            Subscriptions = subscriptions,
            HttpReqStats = monitoring.RequestCounts,
            ConfigLoadTime = server.ConfigLoadTime,
            ConfigDigest = options.ConfigDigest ?? "",
            Tags = options.Tags.Count > 0 ? [.. options.Tags] : null,
            SystemAccount = server.Accounts.System?.Name,
            SlowConsumerStats = new ConnectionKindCounts { Clients = (ulong)statistics.SlowConsumers },
            StaleConnectionStats = new ConnectionKindCounts { Clients = (ulong)statistics.StaleConnections },
            LameDuckMode = server.IsLameDuck ? true : null,
        };
        foreach (var contribute in monitoring.VarzContributors())
        {
            contribute(varz);
        }
        return varz;
    }

    /// <summary>From the options, as nats-server does; <c>{}</c> when clustering is off. Routes add live details.</summary>
    private static ClusterVarz DescribeCluster(ClusterOptions cluster, string? name, TlsOptions? tls)
    {
        if (!cluster.Enabled)
        {
            return new ClusterVarz { Name = string.IsNullOrEmpty(name) ? null : name };
        }
        return new ClusterVarz
        {
            Name = string.IsNullOrEmpty(name) ? cluster.Name : name,
            Host = cluster.Host,
            Port = cluster.Port,
            AuthTimeout = cluster.AuthTimeout.TotalSeconds,
            Urls = cluster.Routes.Count > 0 ? [.. cluster.Routes.Select(u => u.IsDefaultPort ? u.Host : $"{u.Host}:{u.Port}")] : null,
            TlsTimeout = tls?.Timeout.TotalSeconds,
            TlsRequired = tls is null ? null : true,
            TlsVerify = tls is null ? null : true,
        };
    }
}
