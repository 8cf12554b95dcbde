using NATS.Client.Core;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>The stock host (plugins/Auth.JWT deployed next to it by the build) in operator mode, with NATS.Net creds clients.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class BuiltHostTests
{
    [Test]
    public async Task The_built_host_loads_the_plugin_admits_creds_users_and_refuses_anonymous_clients()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var port = FreePorts.Take();
        await using var host = await ReferenceServer.StartHostAsync(setup.MemoryConfig(port, setup.AccountJwt(account)), port);
        var url = $"nats://127.0.0.1:{port}";

        await using var sub = new NatsConnection(NatsOpts.Default with { Url = url, AuthOpts = NatsAuthOpts.Default with { CredsFile = setup.NewUser(account, "a").CredsPath } });
        await using var pub = new NatsConnection(NatsOpts.Default with { Url = url, AuthOpts = NatsAuthOpts.Default with { CredsFile = setup.NewUser(account, "b").CredsPath } });
        await sub.ConnectAsync();
        await pub.ConnectAsync();
        Assert.That(await MemoryResolverTests.RequestViaSubscriberAsync(sub, pub, "host"), Is.EqualTo("hello host"));

        await using var anonymous = await RawClient.ConnectAsync(port);
        await anonymous.SendAsync("CONNECT {\"verbose\":false}\r\nPING\r\n");
        await anonymous.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(host.Output, Does.Contain("Loaded plugin auth-jwt"));
    }
}
