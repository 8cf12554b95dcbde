using Nats.Core.Config;

namespace Nats.TestSupport;

/// <summary>
/// The base of a fixture whose tests each get a fresh in-process server: started before every
/// test with the options <see cref="Configure"/> sets, shut down (bounded) after it.
/// </summary>
public abstract class ServerFixture
{
    /// <summary>This test's server.</summary>
    protected TestServer Server { get; private set; } = null!;

    /// <summary>Adjusts the options of every test's server; the default leaves them as they are.</summary>
    protected virtual void Configure(ServerOptions options)
    {
    }

    /// <summary>Starts this test's server.</summary>
    [SetUp]
    public async Task StartServerAsync() => Server = await TestServer.StartAsync(Configure);

    /// <summary>Stops this test's server.</summary>
    [TearDown]
    public async Task StopServerAsync() => await Server.DisposeAsync();
}
