using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nats.Core.Logging;

namespace Nats.Core.Monitoring;

/// <summary>
/// The monitoring endpoints and their HTTP listener (<c>http_port</c>/<c>-m</c>) on Kestrel.
/// Kernel endpoints (/varz, /connz, /routez…) and plugin endpoints (/jsz, /leafz…) register
/// the same way, before start or live: a handler turns a <see cref="MonitoringRequest"/> into a
/// <see cref="MonitoringResponse"/> holding a DTO with nats-server's JSON names. The
/// registry exists whether or not the listener runs, so endpoints can also be called
/// in-process (<see cref="Invoke"/>), e.g. for system-account requests.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    private readonly Dictionary<string, Endpoint> _endpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ulong> _requestCounts = new(StringComparer.Ordinal);
    private readonly List<Action<Varz>> _varzContributors = [];
    private readonly List<IHealthCheck> _healthChecks = [];
    private readonly ILogger _logger;
    private WebApplication? _app;

    internal MonitoringServer(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>The bound port while listening (useful with port -1), else 0.</summary>
    public int Port { get; private set; }

    /// <summary>The base path endpoints are served under (<c>http_base_path</c>), "" for none.</summary>
    public string BasePath { get; private set; } = "";

    /// <summary>
    /// Registers (or replaces) an endpoint at <paramref name="path"/>, e.g. <c>/routez</c>.
    /// With a <paramref name="title"/> the root page links to it.
    /// </summary>
    /// <remarks>
    /// Throw <see cref="MonitoringException"/> from the handler to refuse a request with a
    /// plain-text error, as nats-server does; read parameters with the typed
    /// <see cref="MonitoringRequest"/> readers, which produce nats-server's messages.
    /// </remarks>
    public void Register(string path, Func<MonitoringRequest, MonitoringResponse> handler, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(handler);
        var key = Normalize(path);
        lock (_endpoints)
        {
            _endpoints[key] = new Endpoint(key, handler, title, _endpoints.TryGetValue(key, out var old) ? old.Order : _endpoints.Count);
        }
    }

    /// <summary>Removes the endpoint at <paramref name="path"/> (a plugin whose Configure failed is withdrawn).</summary>
    internal void Unregister(string path)
    {
        lock (_endpoints)
        {
            _endpoints.Remove(Normalize(path));
        }
    }

    /// <summary>Paths registered so far.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_endpoints)
            {
                return [.. _endpoints.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Endpoints with a title, in registration order (for the root page).</summary>
    internal IReadOnlyList<(string Path, string Title)> Links
    {
        get
        {
            lock (_endpoints)
            {
                return [.. _endpoints.Values.Where(e => e.Title is not null).OrderBy(e => e.Order).Select(e => (e.Path, e.Title!))];
            }
        }
    }

    /// <summary>Requests served over HTTP per path (<c>/varz</c>'s <c>http_req_stats</c>).</summary>
    public IReadOnlyDictionary<string, ulong> RequestCounts
    {
        get
        {
            lock (_requestCounts)
            {
                return new Dictionary<string, ulong>(_requestCounts, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>
    /// Adds a step that completes every <see cref="Varz"/> before it is served: plugins set
    /// their section (<c>gateway</c>, <c>leaf</c>, <c>jetstream</c>…) and counters
    /// (<c>routes</c>, <c>leafnodes</c>…). Runs on the request's thread; keep it quick.
    /// </summary>
    public void AddVarzContributor(Action<Varz> contributor)
    {
        ArgumentNullException.ThrowIfNull(contributor);
        lock (_varzContributors)
        {
            _varzContributors.Add(contributor);
        }
    }

    /// <summary>Adds a health check that <c>/healthz</c> runs after the kernel's own (JetStream adds its checks here).</summary>
    public void AddHealthCheck(IHealthCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_healthChecks)
        {
            _healthChecks.Add(check);
        }
    }

    /// <summary>
    /// Adds the JSON metadata of a plugin's monitoring types (its endpoints' bodies, its
    /// <c>/varz</c> section): a source-generated <c>JsonSerializerContext</c>'s <c>Default</c>,
    /// generated with <c>GenerationMode = Metadata</c>. Without it the types are written by
    /// reflection, which a native (NativeAOT) build may lack; with it the JSON is the same.
    /// The metadata is shared by every server in the process; adding a context twice is harmless.
    /// </summary>
    public void AddJsonTypes(IJsonTypeInfoResolver types)
    {
        ArgumentNullException.ThrowIfNull(types);
        MonitoringTypeResolver.Instance.Add(types);
    }

    /// <summary>Calls an endpoint in-process, as an HTTP request would (without counting it in <c>http_req_stats</c>).</summary>
    /// <exception cref="KeyNotFoundException">No endpoint at <paramref name="path"/>.</exception>
    public MonitoringResponse Invoke(string path, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        var endpoint = Find(Normalize(path)) ?? throw new KeyNotFoundException($"no monitoring endpoint at {path}");
        return Run(endpoint, new MonitoringRequest(query));
    }

    /// <summary>Serializes a response body as the HTTP listener would write it.</summary>
    public static string Serialize(MonitoringResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (!response.IsJson)
        {
            return response.Body as string ?? response.Body.ToString() ?? "";
        }
        var options = response.Indented ? MonitoringJson.Indented : MonitoringJson.Compact;
        return JsonSerializer.Serialize(response.Body, options.GetTypeInfo(response.Body.GetType()));
    }

    internal Action<Varz>[] VarzContributors()
    {
        lock (_varzContributors)
        {
            return [.. _varzContributors];
        }
    }

    internal IHealthCheck[] HealthChecks()
    {
        lock (_healthChecks)
        {
            return [.. _healthChecks];
        }
    }

    internal async Task StartAsync(IPAddress address, int port, string basePath, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port < 0 ? 0 : port));
        var app = builder.Build();
        var prefix = basePath.Trim('/');
        BasePath = prefix.Length == 0 ? "" : "/" + prefix;
        app.Run(HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        Port = new Uri(addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        ServerLog.MonitorStarting(_logger, address, Port);
    }

    /// <summary>Stops the HTTP listener; the registry stays.</summary>
    internal async Task StopAsync()
    {
        var app = Interlocked.Exchange(ref _app, null);
        if (app is not null)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            Port = 0;
        }
    }

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (BasePath.Length > 0)
        {
            // Under a base path nats-server serves nothing outside it.
            if (!path.StartsWith(BasePath, StringComparison.Ordinal) || (path.Length > BasePath.Length && path[BasePath.Length] != '/'))
            {
                context.Response.StatusCode = 404;
                return Task.CompletedTask;
            }
            path = path[BasePath.Length..];
        }
        var endpoint = Find(Normalize(path));
        if (endpoint is null)
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }
        lock (_requestCounts)
        {
            _requestCounts[endpoint.Path] = _requestCounts.GetValueOrDefault(endpoint.Path) + 1;
        }
        var response = Run(endpoint, new MonitoringRequest(context.Request.Query));
        context.Response.StatusCode = response.Status;
        // nats-server allows cross-origin reads of its monitoring data.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        string body;
        try
        {
            body = Serialize(response);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Said here, not by Kestrel (its logging is off): an answer that cannot be written is a bug.
            ServerLog.MonitorWriteFailed(_logger, ex, endpoint.Path);
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync(ex.Message);
        }
        var callback = context.Request.Query["callback"].ToString();
        if (response.IsJson && callback.Length > 0)
        {
            // JSONP, as nats-server 2.9 answered ?callback=.
            context.Response.ContentType = "application/javascript";
            return context.Response.WriteAsync($"{callback}({body})");
        }
        context.Response.ContentType = response.ContentType;
        return context.Response.WriteAsync(body);
    }

    private MonitoringResponse Run(Endpoint endpoint, MonitoringRequest request)
    {
        try
        {
            return endpoint.Handler(request);
        }
        catch (MonitoringException ex)
        {
            return MonitoringResponse.Text(ex.Message, ex.Status);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            ServerLog.MonitorRequestFailed(_logger, ex, endpoint.Path);
            return MonitoringResponse.Text(ex.Message, 500);
        }
    }

    private Endpoint? Find(string path)
    {
        lock (_endpoints)
        {
            return _endpoints.GetValueOrDefault(path);
        }
    }

    private static string Normalize(string path) => "/" + path.Trim('/');

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private sealed record Endpoint(string Path, Func<MonitoringRequest, MonitoringResponse> Handler, string? Title, int Order);
}
