using Microsoft.Extensions.Logging;

namespace Nats.Core.Logging;

/// <summary>TLS certificate sets installed and reloaded (event ids 230–239).</summary>
internal static partial class TlsLog
{
    /// <summary>A set's certificate put in place at start, on reload or after its files changed.</summary>
    [LoggerMessage(EventId = 230, Level = LogLevel.Information,
        Message = "TLS certificate for {Name} {What}: {Subject}, serial {Serial}, valid until {NotAfter:yyyy-MM-dd HH:mm:ss}Z{Stapling}")]
    public static partial void Installed(ILogger logger, string name, string what, string subject, string serial, DateTime notAfter, string stapling);

    /// <summary>A reload (SIGHUP) whose new TLS files cannot be used: the running certificate stays.</summary>
    [LoggerMessage(EventId = 231, Level = LogLevel.Error, Message = "TLS for {Name} not reloaded, keeping the current certificate: {Reason}")]
    public static partial void NotReloaded(ILogger logger, string name, string reason);

    /// <summary>A watched set's files changed into something that cannot be used: the running certificate stays.</summary>
    [LoggerMessage(EventId = 232, Level = LogLevel.Error, Message = "TLS files for {Name} changed but cannot be used, keeping the current certificate: {Reason}")]
    public static partial void ChangedFilesUnusable(ILogger logger, string name, string reason);

    /// <summary>A plugin listener's <c>tls</c> block applied by a reload.</summary>
    [LoggerMessage(EventId = 233, Level = LogLevel.Information, Message = "{Section}: TLS certificates reloaded")]
    public static partial void ListenerReloaded(ILogger logger, string section);

    /// <summary>A set removed from the configuration by a reload.</summary>
    [LoggerMessage(EventId = 234, Level = LogLevel.Information, Message = "TLS for {Name} turned off")]
    public static partial void TurnedOff(ILogger logger, string name);

    /// <summary>Something about a set's certificate an operator should know (it expires soon, say).</summary>
    [LoggerMessage(EventId = 235, Level = LogLevel.Warning, Message = "TLS for {Name}: {Warning}")]
    public static partial void CertificateWarning(ILogger logger, string name, string warning);

    /// <summary>The client listener requires TLS (nats-server's start-up line).</summary>
    [LoggerMessage(EventId = 236, Level = LogLevel.Information, Message = "TLS required for client connections")]
    public static partial void ClientTlsRequired(ILogger logger);

    /// <summary>Handshake-first without a fallback: plain clients cannot connect (nats-server's warning).</summary>
    [LoggerMessage(EventId = 237, Level = LogLevel.Warning, Message = "Clients that are not using \"TLS Handshake First\" option will fail to connect")]
    public static partial void HandshakeFirstWithoutFallback(ILogger logger);

    /// <summary>Route TLS with <c>insecure</c>: other servers' certificates are not verified.</summary>
    [LoggerMessage(EventId = 238, Level = LogLevel.Warning, Message = "Cluster TLS is configured with 'insecure': the certificates of other servers are not verified")]
    public static partial void InsecureCluster(ILogger logger);
}
