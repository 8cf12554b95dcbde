using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// A leaf whose authentication takes long (bcrypt, a plugin's HTTP check, an account resolver)
/// holds up only itself: its read loop awaits the answer instead of blocking a thread that, with
/// inline socket completions, completes other connections' reads too.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
[NonParallelizable]
public sealed class SlowAuthenticationTests
{
    [Test]
    public async Task A_pending_leaf_authentication_releases_the_read_loop_and_other_clients_are_served()
    {
        var port = FreePorts.Take();
        var slow = new SlowLeafAuthenticator();
        await using var hub = await OurServer.StartAsync($$"""leafnodes { listen: "127.0.0.1:{{port}}", authorization { timeout: 20 } }""", configure: s => s.AddAuthenticator(slow));
        await using var leaf = await RawClient.ConnectAsync(port);

        // One read: the PONG is queued in the same batch as the CONNECT and goes out when the
        // batch ends, which a read loop blocked in the authentication would never reach.
        await leaf.SendAsync("PING\r\nCONNECT {\"name\":\"raw\",\"user\":\"slow\"}\r\nPING\r\n");
        await slow.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(await leaf.ReadLineAsync(), Is.EqualTo("PONG"), "the read batch ended while the authentication was pending");

        await using var client = await hub.ClientAsync();
        await Leaf.SubAsync(client, "meanwhile", "1");
        await client.SendAsync("PUB meanwhile 2\r\nok\r\n");
        await client.ExpectMsgAsync("meanwhile", "1", "ok");
        Assert.That(await leaf.DrainAsync(TimeSpan.FromMilliseconds(200)), Is.Empty, "nothing after CONNECT is parsed before the leaf is bound");

        slow.Answer.SetResult(AuthResult.Accept(null, "slow"));
        Assert.That(await leaf.ReadLineAsync(), Does.StartWith("INFO ").And.Contain("\"connect_info\":true"));
        string line;
        do
        {
            line = await leaf.ReadLineAsync();
        }
        while (line.StartsWith("LS+ ", StringComparison.Ordinal));
        Assert.That(line, Is.EqualTo("PONG"), "the PING after CONNECT, answered once the leaf is bound");
        await Leaf.UntilAsync(() => hub.LeafCount == 1, "the leaf registered");
    }

    /// <summary>Admits clients at once; a leaf's answer waits for the test.</summary>
    private sealed class SlowLeafAuthenticator : IAuthenticator
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<AuthResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "slow-leaf";

        public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
        {
            if (context.Kind != ConnectionKind.Leaf)
            {
                return ValueTask.FromResult(AuthResult.Accept(null, "client"));
            }
            Called.TrySetResult();
            return new ValueTask<AuthResult>(Answer.Task.WaitAsync(cancellationToken));
        }
    }
}
