using System.Net.Security;
using Nats.Core.Config;

namespace Nats.Core.Plugins;

/// <summary>
/// Named TLS configurations (<c>client</c> for the client port, <c>cluster</c> for routes,
/// and one per plugin listener or link kind) whose certificates can be replaced while the
/// server runs. Listeners ask for the current server options on every handshake and
/// outbound links on every dial, so a reload (or a watched certificate file changing) takes
/// effect for new connections at once, while established ones keep theirs.
/// </summary>
public interface ITlsStore
{
    /// <summary>
    /// Installs <paramref name="options"/> under <paramref name="name"/>, loading and checking
    /// the certificate first; a bad certificate throws <see cref="ConfigException"/> and
    /// leaves the previous one in force. Null removes the entry.
    /// </summary>
    void Set(string name, TlsOptions? options);

    /// <summary>The options in force under <paramref name="name"/>, or null.</summary>
    TlsOptions? Get(string name);

    /// <summary>Checks that <paramref name="options"/> would load, without installing them (reload validation).</summary>
    void Validate(TlsOptions options);

    /// <summary>Options for one inbound handshake with the current certificate, or null when TLS is off.</summary>
    SslServerAuthenticationOptions? GetServerOptions(string name);

    /// <summary>Options for one outbound handshake to <paramref name="targetHost"/>, or null when TLS is off.</summary>
    SslClientAuthenticationOptions? GetClientOptions(string name, string targetHost);

    /// <summary>Raised after the certificate set under a name changed (reload or file watch).</summary>
    event Action<string>? Changed;
}
