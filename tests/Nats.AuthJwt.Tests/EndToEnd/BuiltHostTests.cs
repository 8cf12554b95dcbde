using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>The stock host (plugins/Auth.JWT deployed next to it by the build) in operator mode, with NATS.Net creds clients.</summary>
/// <remarks>
/// A child process started cold on a loaded machine: every wait is bounded but generous, the host
/// picks its own port (no port chosen beforehand that another process could take), and the log is
/// awaited rather than read once (the host's console logger and the output pipe are asynchronous).
/// </remarks>
[TestFixture]
[CancelAfter(150_000)]
public sealed class BuiltHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Test]
    public async Task The_built_host_loads_the_plugin_admits_creds_users_and_refuses_anonymous_clients()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        await using var host = await ReferenceServer.StartHostAsync(setup.MemoryConfig(-1, setup.AccountJwt(account)), TimeSpan.FromSeconds(60));
        var url = $"nats://127.0.0.1:{host.Port}";

        NatsConnection Client(string name) => new(NatsOpts.Default with
        {
            Url = url,
            ConnectTimeout = Patience,
            RequestTimeout = Patience,
            AuthOpts = NatsAuthOpts.Default with { CredsFile = setup.NewUser(account, name).CredsPath },
        });
        await using var sub = Client("a");
        await using var pub = Client("b");
        await sub.ConnectAsync();
        await pub.ConnectAsync();
        Assert.That(await MemoryResolverTests.RequestViaSubscriberAsync(sub, pub, "host", Patience), Is.EqualTo("hello host"));

        await using var anonymous = await RawClient.ConnectAsync(host.Port);
        anonymous.Timeout = Patience;
        await anonymous.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n");
        await anonymous.ExpectErrAndCloseAsync("Authorization Violation");
        await Eventually.TrueAsync(() => host.Output.Contains("Loaded plugin auth-jwt", StringComparison.Ordinal), "the host's log of loading auth-jwt", Patience);
    }
}
