using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>
/// Clients cannot publish into gateways' routed-reply space (<c>_GR_.</c>), as nats-server's
/// <c>hasGWRoutedReplyPrefix</c>: the same exchange answered the same way by ours and by 2.9.10.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class ReservedPrefixTests
{
    // A subscriber on _GR_.> in the same connection sees what got through; "ok" is the control.
    private const string Exchange =
        "SUB _GR_.> 1\r\nSUB ok 2\r\nPUB _GR_.abcdef.ghijkl.x 2\r\nhi\r\nPUB _GR_.z 0\r\n\r\nPUB ok 2\r\nok\r\nPING\r\n";

    private const string Expected =
        "-ERR 'Permissions Violation for Publish to \"_GR_.abcdef.ghijkl.x\"'\r\n" +
        "-ERR 'Permissions Violation for Publish to \"_GR_.z\"'\r\n" +
        "MSG ok 2 2\r\nok\r\nPONG\r\n";

    [Test]
    public async Task Ours_refuses_a_client_publishing_to_GR()
    {
        var ports = FreePorts.Take(1);
        await using var ours = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0]));
        Assert.That(await RunExchangeAsync(ours.Server.Port), Is.EqualTo(Expected));
    }

    [Test]
    public async Task Nats_server_answers_the_same()
    {
        ReferenceServer.RequireInstalled();
        var ports = FreePorts.Take(2);
        await using var theirs = await ReferenceServer.StartAsync(
            Gateways.ReferenceConfig("go1", ports[1], $"name: GO\nlisten: \"127.0.0.1:{ports[0]}\""), ports[1]);
        Assert.That(await RunExchangeAsync(ports[1]), Is.EqualTo(Expected));
    }

    private static async Task<string> RunExchangeAsync(int port)
    {
        await using var client = await RawClient.ConnectAndHandshakeAsync(port);
        await client.SendAsync(Exchange);
        return await client.ExpectAsync("PONG\r\n");
    }
}
