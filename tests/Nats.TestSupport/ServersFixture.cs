using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;

namespace Nats.TestSupport;

/// <summary>
/// The base of a fixture whose tests start several in-process servers (cluster members, a
/// server and its peers): every server a test starts, and the log factory it was given, is
/// stopped after the test, bounded in time, last started first.
/// </summary>
public abstract class ServersFixture
{
    // The test's thread only: filled by StartAsync, emptied by the tear-down.
    private readonly List<NatsServer> _servers = [];
    private readonly List<ILoggerFactory> _logs = [];
    private readonly List<IDisposable> _afterServers = [];

    /// <summary>
    /// Starts a server with <paramref name="options"/>; <paramref name="beforeStart"/> adds
    /// plugins or authenticators first; <paramref name="logs"/> receives its log and is
    /// disposed with it.
    /// </summary>
    protected async Task<NatsServer> StartAsync(ServerOptions options, ILoggerFactory? logs = null, Action<NatsServer>? beforeStart = null)
    {
        var server = new NatsServer(options, logs);
        _servers.Add(server);
        if (logs is not null)
        {
            _logs.Add(logs);
        }
        beforeStart?.Invoke(server);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await server.StartAsync(cts.Token);
        return server;
    }

    /// <summary>
    /// Disposes <paramref name="resource"/> after the test's servers have stopped (a PKI whose
    /// files they read, a responder they call); returns it.
    /// </summary>
    protected T DisposeAfterServers<T>(T resource) where T : IDisposable
    {
        _afterServers.Add(resource);
        return resource;
    }

    /// <summary>Starts a server whose log (from <paramref name="minimum"/> up) the test reads.</summary>
    protected async Task<(NatsServer Server, ListLoggerProvider Log)> StartLoggedAsync(ServerOptions options, LogLevel minimum = LogLevel.Debug)
    {
        var log = new ListLoggerProvider();
        return (await StartAsync(options, log.CreateFactory(minimum)), log);
    }

    /// <summary>Stops every server the test started (10 s each at most), then disposes their log factories and what <see cref="DisposeAfterServers{T}(T)"/> was given.</summary>
    [TearDown]
    public async Task StopServersAsync()
    {
        for (var i = _servers.Count - 1; i >= 0; i--)
        {
            await TestServer.StopAsync(_servers[i]);
        }
        _servers.Clear();
        foreach (var logs in _logs)
        {
            logs.Dispose();
        }
        _logs.Clear();
        foreach (var resource in _afterServers)
        {
            resource.Dispose();
        }
        _afterServers.Clear();
    }
}
