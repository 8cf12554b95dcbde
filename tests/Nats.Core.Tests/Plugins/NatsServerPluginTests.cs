using Nats.Core.Config;
using Nats.Core.Monitoring;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Core.Tests.Plugins;

/// <summary>The kernel's plugin API as an embedding application uses it: <see cref="NatsServer.AddPlugin"/>.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class NatsServerPluginTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static ServerOptions Options(string? config = null)
    {
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1 };
        if (config is not null)
        {
            options.Sections = ConfParser.ParseString(config).ToDictionary(e => e.Key, e => (object?)e.Value, StringComparer.OrdinalIgnoreCase);
        }
        return options;
    }

    [Test]
    public async Task PluginsConfigureWhenAddedStartAfterTheKernelAndStopInReverseOrder()
    {
        var journal = new List<string>();
        await using var server = new NatsServer(Options());
        server.AddPlugin(new RecordingPlugin("first", journal, server), "first");
        server.AddPlugin(new RecordingPlugin("second", journal, server), "second");
        Assert.That(journal, Is.EqualTo(new[] { "first:configure", "second:configure" }));
        Assert.That(server.Plugins, Is.EqualTo(new[] { "first", "second" }));

        await server.StartAsync();
        Assert.That(journal, Is.EqualTo(new[] { "first:configure", "second:configure", "first:start running=True", "second:start running=True" }));

        await server.ShutdownAsync();
        Assert.That(journal.Skip(4), Is.EqualTo(new[] { "second:stop", "first:stop" }));
    }

    [Test]
    public async Task APluginMarkedToStartBeforeClientsStartsBeforeTheClientPortOpensAndStopsLast()
    {
        var journal = new List<string>();
        await using var server = new NatsServer(Options());
        server.AddPlugin(new RecordingPlugin("normal", journal, server), "normal");
        server.AddPlugin(new EarlyPlugin("early", journal, server), "early");

        await server.StartAsync();
        Assert.That(journal.Skip(2), Is.EqualTo(new[] { "early:start running=False", "normal:start running=True" }));

        await server.ShutdownAsync();
        Assert.That(journal.Skip(4), Is.EqualTo(new[] { "normal:stop", "early:stop" }));
    }

    private sealed class EarlyPlugin(string name, List<string> journal, NatsServer server) : IServerPlugin, IStartsBeforeClients
    {
        private readonly RecordingPlugin _inner = new(name, journal, server);

        public void Configure(IServerContext context) => _inner.Configure(context);

        public Task StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => _inner.StopAsync(cancellationToken);
    }

    [Test]
    public void TheNameComesFromTheExportAttribute()
    {
        var server = new NatsServer(Options());
        server.AddPlugin(new AttributedPlugin());
        Assert.That(server.Plugins, Is.EqualTo(new[] { "attributed" }));
        var again = Assert.Throws<PluginException>(() => server.AddPlugin(new AttributedPlugin()))!;
        Assert.That(again.Message, Is.EqualTo("plugin \"attributed\": a plugin of this name was already added"));
    }

    [Test]
    public async Task AddingAPluginAfterStartIsRefused()
    {
        await using var server = new NatsServer(Options());
        await server.StartAsync();
        Assert.Throws<InvalidOperationException>(() => server.AddPlugin(new AttributedPlugin()));
    }

    [Test]
    public async Task AFailingConfigureNamesThePluginAndWithdrawsWhatItRegistered()
    {
        await using var server = new NatsServer(Options("broken { a: 1 }"));
        var error = Assert.Throws<PluginException>(() => server.AddPlugin(new HalfConfiguredPlugin(), "broken"))!;

        Assert.That(error.Message, Is.EqualTo("plugin \"broken\": refusing on purpose"));
        Assert.That(error.PluginName, Is.EqualTo("broken"));
        Assert.That(server.BoundConfigSections, Does.Not.Contain("broken"), "its section would otherwise take part in reloads");
        Assert.That(server.Monitoring.Paths, Does.Not.Contain("/brokenz"));
        Assert.That(server.Plugins, Is.Empty);

        // The authenticator it added before throwing must not be in force: with it, every client
        // would have to authenticate (and be refused).
        await server.StartAsync();
        Assert.That(server.Info.AuthRequired, Is.False);
        await using var client = await RawClient.ConnectAndFlushAsync(server.Port);
        await client.SendAsync("PING\r\n");
        await client.ExpectAsync("PONG", Wait);
    }

    [Test]
    public async Task APluginAuthenticatorAndSectionTakeEffect()
    {
        await using var server = new NatsServer(Options("greeter { password: \"s3cret\" }"));
        server.AddPlugin(new PasswordPlugin());
        Assert.That(server.BoundConfigSections, Does.Contain("greeter"));
        await server.StartAsync();

        await using var good = await RawClient.ConnectAndFlushAsync(server.Port, "{\"verbose\":false,\"user\":\"any\",\"pass\":\"s3cret\"}");
        await good.SendAsync("PING\r\n");
        await good.ExpectAsync("PONG", Wait);
        Assert.That(await FirstAnswerAsync(server.Port, "{\"verbose\":false,\"user\":\"any\",\"pass\":\"wrong\"}"), Is.EqualTo("-ERR 'Authorization Violation'"));

        // A reload re-parses the section and the hook swaps the password; ReauthorizeClients
        // then disconnects the client that used the old one.
        var result = server.Reload(Options("greeter { password: \"n3w\" }"));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await good.ExpectAsync("-ERR 'Authorization Violation'", Wait);
    }

    [Test]
    public async Task APluginThatFailsToStartStopsTheServer()
    {
        var journal = new List<string>();
        var server = new NatsServer(Options());
        server.AddPlugin(new RecordingPlugin("fine", journal, server), "fine");
        server.AddPlugin(new RecordingPlugin("bad", journal, server, failStart: true), "bad");

        var error = Assert.ThrowsAsync<PluginException>(() => server.StartAsync())!;

        Assert.That(error.Message, Is.EqualTo("plugin \"bad\": failed to start: no start today"));
        Assert.That(server.IsRunning, Is.False);
        Assert.That(journal, Does.Contain("fine:stop"), "the plugin that had started is stopped again");
        Assert.That(journal, Does.Not.Contain("bad:stop"));
        await server.DisposeAsync();
    }

    // What the server answers to CONNECT + PING: PONG, or the error that refuses the client.
    private static async Task<string> FirstAnswerAsync(int port, string connect)
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        using var reader = new StreamReader(tcp.GetStream());
        using var cancel = new CancellationTokenSource(Wait);
        _ = await reader.ReadLineAsync(cancel.Token);
        await tcp.GetStream().WriteAsync(System.Text.Encoding.UTF8.GetBytes($"CONNECT {connect}\r\nPING\r\n"), cancel.Token);
        return await reader.ReadLineAsync(cancel.Token) ?? "";
    }

    private sealed class RecordingPlugin(string name, List<string> journal, NatsServer server, bool failStart = false) : IServerPlugin
    {
        public void Configure(IServerContext context) => journal.Add($"{name}:configure");

        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (failStart)
            {
                throw new InvalidOperationException("no start today");
            }
            journal.Add($"{name}:start running={server.Port > 0}");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            journal.Add($"{name}:stop");
            return Task.CompletedTask;
        }
    }

    [ServerPlugin("attributed")]
    private sealed class AttributedPlugin : IServerPlugin
    {
        public void Configure(IServerContext context)
        {
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class HalfConfiguredPlugin : IServerPlugin
    {
        public void Configure(IServerContext context)
        {
            context.Config.Bind("broken", s => new object());
            context.AddAuthenticator(new PasswordAuthenticator("never"));
            context.Monitoring.Register("/brokenz", _ => MonitoringResponse.Json(new { }));
            throw new InvalidOperationException("refusing on purpose");
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class PasswordPlugin : IServerPlugin, IReloadHook<string>
    {
        private readonly PasswordAuthenticator _authenticator = new("");
        private NatsServer? _server;

        public void Configure(IServerContext context)
        {
            _server = context.Server;
            var section = context.Config.Bind("greeter", s => s!.AsMap()["password"].AsString(), this);
            _authenticator.Password = section.Current;
            context.AddAuthenticator(_authenticator);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Validate(string current, string proposed, ReloadValidation validation) => validation.Changed("greeter");

        public void Apply(string current, string proposed)
        {
            _authenticator.Password = proposed;
            _server!.ReauthorizeClients();
        }
    }

    private sealed class PasswordAuthenticator(string password) : IAuthenticator
    {
        public volatile string Password = password;

        public string Name => "test";

        public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult(context.Connect.Password == Password ? AuthResult.Accept(null, "any") : AuthResult.Deny("wrong"));
    }
}
