using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Hosting.Tests;

/// <summary>An application service a plugin added by type receives through its constructor.</summary>
public sealed class GreetingSink
{
    public string? Greeting { get; set; }
}

/// <summary>A plugin added by type: it reads its own config section, <c>greeting</c>, and hands it to an application service.</summary>
public sealed class GreetingPlugin(GreetingSink sink) : IServerPlugin
{
    public void Configure(IServerContext context) =>
        sink.Greeting = context.Config.Bind("greeting", value => value is ConfString s ? s.Value : "").Current;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
