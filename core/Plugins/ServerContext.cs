using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Monitoring;
using Nats.Core.Subjects;

namespace Nats.Core.Plugins;

/// <summary>The kernel's <see cref="IServerContext"/>: a plugin's view of one server.</summary>
public sealed class ServerContext : IServerContext
{
    /// <summary>Creates the context plugins of <paramref name="server"/> receive.</summary>
    public ServerContext(NatsServer server)
    {
        Server = server;
    }

    /// <inheritdoc />
    public NatsServer Server { get; }

    /// <inheritdoc />
    public IConfigBus Config => Server.Config;

    /// <inheritdoc />
    public AccountRegistry Accounts => Server.Accounts;

    /// <inheritdoc />
    public ITlsStore Tls => Server.Tls;

    /// <inheritdoc />
    public MonitoringServer Monitoring => Server.Monitoring;

    /// <inheritdoc />
    public ILoggerFactory Logging => Server.LoggerFactory;

    /// <inheritdoc />
    public void AddAuthenticator(IAuthenticator authenticator) => Server.AddAuthenticator(authenticator);

    /// <inheritdoc />
    public void AddInterestObserver(IInterestObserver observer) => Server.AddInterestObserver(observer);

    /// <inheritdoc />
    public IInProcessConnection Connect(Account? account = null) => Server.ConnectInProcess(account);
}
