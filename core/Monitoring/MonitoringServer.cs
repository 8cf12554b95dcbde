using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nats.Core.Monitoring;

/// <summary>A monitoring request: the query string of e.g. <c>/connz?sort=bytes_to&amp;limit=10</c>.</summary>
public sealed class MonitoringRequest(IQueryCollection query)
{
    /// <summary>A query parameter, or null.</summary>
    public string? this[string name] => query.TryGetValue(name, out var v) ? v.ToString() : null;

    /// <summary>An integer parameter, or <paramref name="fallback"/>.</summary>
    public int GetInt(string name, int fallback) => int.TryParse(this[name], out var v) ? v : fallback;

    /// <summary>A boolean parameter (<c>true</c>, <c>1</c>, <c>detail</c>…), or false.</summary>
    public bool GetBool(string name) => this[name] is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("detail", StringComparison.OrdinalIgnoreCase));
}

/// <summary>A monitoring endpoint's answer: a JSON body and an HTTP status.</summary>
/// <param name="Body">Serialized as JSON.</param>
/// <param name="Status">HTTP status code.</param>
public sealed record MonitoringResponse(object Body, int Status = 200);

/// <summary>
/// The HTTP monitoring listener (<c>http_port</c>/<c>-m</c>) on Kestrel. Kernel endpoints
/// (/varz, /connz, …) and plugin endpoints register the same way, before start or live.
/// </summary>
public sealed class MonitoringServer : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Dictionary<string, Func<MonitoringRequest, MonitoringResponse>> _endpoints = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger _logger;
    private WebApplication? _app;

    internal MonitoringServer(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>The bound port, once started.</summary>
    public int Port { get; private set; }

    /// <summary>Registers (or replaces) an endpoint at <paramref name="path"/>, e.g. <c>/varz</c>.</summary>
    public void Register(string path, Func<MonitoringRequest, MonitoringResponse> handler)
    {
        lock (_endpoints)
        {
            _endpoints["/" + path.Trim('/')] = handler;
        }
    }

    /// <summary>Paths registered so far.</summary>
    public IReadOnlyList<string> Paths
    {
        get
        {
            lock (_endpoints)
            {
                return [.. _endpoints.Keys.Order()];
            }
        }
    }

    internal async Task StartAsync(IPAddress address, int port, string basePath, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, port < 0 ? 0 : port));
        var app = builder.Build();
        var prefix = "/" + basePath.Trim('/');
        app.Run(context => HandleAsync(context, prefix));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses;
        Port = new Uri(addresses.First().Replace("[::]", "localhost", StringComparison.Ordinal)).Port;
        _logger.LogInformation("Starting http monitor on {Address}:{Port}", address, Port);
    }

    private Task HandleAsync(HttpContext context, string prefix)
    {
        var path = context.Request.Path.Value ?? "/";
        if (prefix.Length > 1 && path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            path = path[prefix.Length..];
        }
        path = "/" + path.Trim('/');
        Func<MonitoringRequest, MonitoringResponse>? handler;
        lock (_endpoints)
        {
            _endpoints.TryGetValue(path, out handler);
        }
        if (handler is null)
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }
        MonitoringResponse response;
        try
        {
            response = handler(new MonitoringRequest(context.Request.Query));
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            response = new MonitoringResponse(new { error = ex.Message }, 400);
        }
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = "application/json";
        // nats-server allows cross-origin reads of its monitoring data.
        context.Response.Headers.AccessControlAllowOrigin = "*";
        var callback = context.Request.Query["callback"].ToString();
        var json = JsonSerializer.Serialize(response.Body, response.Body.GetType(), Json);
        return context.Response.WriteAsync(string.IsNullOrEmpty(callback) ? json : $"{callback}({json})");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}
