using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.Core;
using Nats.Core.Config;
using Nats.Server.Hosting;
using Nats.TestSupport;

namespace Nats.Hosting.Tests;

/// <summary>AddNatsServer in a Generic Host (a worker application), in-process.</summary>
[CancelAfter(30_000)]
public class AddNatsServerTests
{
    private static (HostApplicationBuilder Builder, ListLoggerProvider Logs) NewApp(params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        var logs = new ListLoggerProvider();
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Debug);
        return (builder, logs);
    }

    private static void Loopback(ServerOptions options)
    {
        options.Host = "127.0.0.1";
        options.Port = -1;
    }

    [Test]
    public async Task OptionsFromCodeLogsThroughTheAppAndStopsThroughLameDuck(CancellationToken cancellationToken)
    {
        var (builder, logs) = NewApp();
        builder.Services.AddNatsServer(nats => nats.ConfigureServer(Loopback).ConfigureServer(o => o.LameDuckGracePeriod = TimeSpan.FromMilliseconds(100)));
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var server = app.Services.GetRequiredService<NatsServer>();
        Assert.That(server.IsRunning, Is.True);
        await using var client = await RawClient.ConnectAndHandshakeAsync(server.Port);

        var stopwatch = Stopwatch.StartNew();
        await app.StopAsync(cancellationToken);
        Assert.That(server.IsRunning, Is.False);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)));
        // Told first (INFO with ldm), then closed.
        var seen = await client.ReadUntilClosedAsync();
        Assert.That(seen, Does.Contain("\"ldm\":true"));
        var messages = logs.Lines.Select(e => e.Message).ToList();
        Assert.That(messages, Does.Contain("Entering lame duck mode, stop accepting new clients"));
        Assert.That(messages, Does.Contain("Server is ready"));
        Assert.That(messages, Does.Contain("Server Exiting.."));
    }

    [Test]
    public async Task LameDuckModeIsBoundedByTheTimeout(CancellationToken cancellationToken)
    {
        var (builder, _) = NewApp();
        // nats-server's grace period (10 s) is far longer than the bound given here.
        builder.Services.AddNatsServer(nats =>
        {
            nats.ConfigureServer(Loopback);
            nats.LameDuckTimeout = TimeSpan.FromMilliseconds(300);
        });
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var server = app.Services.GetRequiredService<NatsServer>();
        await using var client = await RawClient.ConnectAndHandshakeAsync(server.Port);
        var stopwatch = Stopwatch.StartNew();
        await app.StopAsync(cancellationToken);
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(9)), "the 300 ms bound, not the 10 s grace period");
        Assert.That(server.IsRunning, Is.False);
    }

    [Test]
    public async Task OptionsFromAConfigurationSectionInNatsServerKeys(CancellationToken cancellationToken)
    {
        var (builder, _) = NewApp(
            ("Nats:host", "127.0.0.1"),
            ("Nats:port", "-1"),
            ("Nats:server_name", "from-section"),
            ("Nats:max_payload", "2MB"),
            ("Nats:accounts:A:users:0:user", "a"),
            ("Nats:accounts:A:users:0:password", "secret \"quoted\""));
        builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"), nats => nats.ConfigureServer(o => o.MaxConnections = 7));
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var server = app.Services.GetRequiredService<NatsServer>();
        Assert.Multiple(() =>
        {
            Assert.That(server.Name, Is.EqualTo("from-section"));
            Assert.That(server.Options.MaxPayload, Is.EqualTo(2 * 1024 * 1024));
            Assert.That(server.Options.MaxConnections, Is.EqualTo(7), "code over the section");
        });
        Assert.That(await RawClient.TryLoginAsync(server.Port, "a", "secret \\\"quoted\\\""), Is.EqualTo("PONG"));
        Assert.That(await RawClient.TryLoginAsync(server.Port, "a", "wrong"), Is.EqualTo("-ERR 'Authorization Violation'"));
        await app.StopAsync(cancellationToken);
    }

    [Test]
    public async Task OptionsFromAConfFile(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("hosting-conf");
        try
        {
            var file = Path.Combine(directory.FullName, "nats.conf");
            await File.WriteAllTextAsync(file, "host: 127.0.0.1\nport: -1\nserver_name: from-file\n", cancellationToken);
            var (builder, _) = NewApp();
            builder.Services.AddNatsServer(nats => nats.ConfigFile = file);
            using var app = builder.Build();
            await app.StartAsync(cancellationToken);
            var server = app.Services.GetRequiredService<NatsServer>();
            Assert.That(server.Name, Is.EqualTo("from-file"));
            Assert.That(server.Options.ConfigFile, Is.EqualTo(file));
            await app.StopAsync(cancellationToken);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Test]
    public void AKeyNobodyOwnsFailsTheStartAsNatsServerRefusesIt()
    {
        var (builder, _) = NewApp(("Nats:port", "-1"), ("Nats:greeting", "hello"));
        builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"));
        using var app = builder.Build();
        var error = Assert.ThrowsAsync<ConfigurationException>(() => app.StartAsync());
        Assert.That(error!.Message, Does.Contain("unknown field \"greeting\""));
    }

    [Test]
    public async Task APluginAddedByTypeGetsItsSectionAndTheAppsServices(CancellationToken cancellationToken)
    {
        var (builder, _) = NewApp(("Nats:host", "127.0.0.1"), ("Nats:port", "-1"), ("Nats:greeting", "hello"));
        builder.Services.AddSingleton<GreetingSink>();
        builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"), nats => nats.AddPlugin<GreetingPlugin>());
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var server = app.Services.GetRequiredService<NatsServer>();
        Assert.That(server.Plugins, Does.Contain(nameof(GreetingPlugin)));
        Assert.That(app.Services.GetRequiredService<GreetingSink>().Greeting, Is.EqualTo("hello"));
        await app.StopAsync(cancellationToken);
    }

    [Test]
    public async Task TheHealthCheckIsTheServersHealthz(CancellationToken cancellationToken)
    {
        var (builder, _) = NewApp();
        builder.Services.AddNatsServer(nats => nats.ConfigureServer(Loopback));
        builder.Services.AddHealthChecks().AddNatsServerHealthCheck();
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var health = app.Services.GetRequiredService<HealthCheckService>();
        var report = await health.CheckHealthAsync(cancellationToken);
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(report.Entries["nats"].Description, Is.EqualTo("{\"status\":\"ok\"}"));

        await app.StopAsync(cancellationToken);
        report = await health.CheckHealthAsync(cancellationToken);
        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
    }

    [Test]
    public async Task AServerThatShutsItselfDownStopsTheApplication(CancellationToken cancellationToken)
    {
        var (builder, _) = NewApp();
        builder.Services.AddNatsServer(nats => nats.ConfigureServer(Loopback));
        using var app = builder.Build();
        await app.StartAsync(cancellationToken);
        var stopping = app.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await app.Services.GetRequiredService<NatsServer>().ShutdownAsync();
        await Eventually.TrueAsync(() => stopping.IsCancellationRequested, "the application to stop");
        await app.StopAsync(cancellationToken);
    }
}
