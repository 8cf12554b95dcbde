using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nats.Core;

namespace Nats.Server.Hosting;

/// <summary><c>AddNatsServer</c>: the NATS server as a hosted service of a Generic Host application.</summary>
public static class NatsServerServiceCollectionExtensions
{
    /// <summary>
    /// Runs a NATS server with the application: it starts with the host, logs through the
    /// application's <see cref="ILoggerFactory"/>, and stops with the host (lame duck mode first,
    /// bounded). The <see cref="NatsServer"/> is a singleton services can take.
    /// </summary>
    /// <example><code>
    /// builder.Services.AddNatsServer(nats =>
    /// {
    ///     nats.ConfigFile = "nats.conf";            // or nats.Configuration = builder.Configuration.GetSection("Nats");
    ///     nats.ConfigureServer(o => o.Port = 4222); // code over the file
    ///     nats.AddPlugin&lt;MyAuthPlugin&gt;();
    /// });
    /// </code></example>
    public static IServiceCollection AddNatsServer(this IServiceCollection services, Action<NatsServerHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new NatsServerHostingOptions();
        configure?.Invoke(options);
        if (services.Any(d => d.ServiceType == typeof(NatsServerRuntime)))
        {
            throw new InvalidOperationException("AddNatsServer was already called: an application runs one NATS server");
        }
        services.AddSingleton(options);
        services.AddSingleton(sp => new NatsServerRuntime(options, sp, sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => sp.GetRequiredService<NatsServerRuntime>().Server);
        services.AddHostedService<NatsServerHostedService>();
        return services;
    }

    /// <summary>As <see cref="AddNatsServer(IServiceCollection, Action{NatsServerHostingOptions}?)"/>, with the options read from a configuration section in nats-server's keys.</summary>
    /// <example><code>
    /// // appsettings.json: { "Nats": { "port": 4222, "http_port": 8222, "max_payload": "2MB" } }
    /// builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"));
    /// </code></example>
    public static IServiceCollection AddNatsServer(this IServiceCollection services, IConfiguration section, Action<NatsServerHostingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddNatsServer(options =>
        {
            options.Configuration = section;
            configure?.Invoke(options);
        });
    }
}
