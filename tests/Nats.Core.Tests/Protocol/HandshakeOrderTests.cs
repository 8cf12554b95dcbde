using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Core.Tests.Protocol;

/// <summary>
/// A client that sent CONNECT and its first PING reads PONG before any asynchronous INFO, as
/// nats-server guarantees: the C and Go clients fail the connect on "Expected 'PONG', got 'INFO'".
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class HandshakeOrderTests
{
    private const string Connect = """CONNECT {"verbose":false,"pedantic":false,"protocol":1}""";

    private static Task<TestServer> StartClusteredAsync() => TestServer.StartAsync(o =>
        o.Cluster = new ClusterOptions { Name = "hs", Host = "127.0.0.1", Port = -1 });

    [Test]
    public async Task ConnectUrlsChangedBeforeTheFirstPingComeAfterThePong()
    {
        await using var server = await StartClusteredAsync();
        await using var client = await server.ConnectRawAsync();
        await client.SendAsync(Connect + "\r\n");
        // connect_urls change between this client's CONNECT and its PING.
        server.Server.AddClusterClientUrls(["10.0.0.1:4222"]);
        await client.SendAsync("PING\r\n");
        Assert.That(await client.ReadLineAsync(), Is.EqualTo("PONG"));
        var info = await client.ReadLineAsync();
        Assert.That(info, Does.StartWith("INFO ").And.Contain("10.0.0.1:4222"), "the catch-up INFO follows the PONG");
    }

    [Test]
    public async Task PongComesFirstWhileConnectUrlsChangeConcurrently()
    {
        using var logs = new ListLoggerProvider();
        await using var server = await TestServer.StartAsync(o =>
            o.Cluster = new ClusterOptions { Name = "hs", Host = "127.0.0.1", Port = -1 }, logs.CreateFactory());
        for (var i = 0; i < 40; i++)
        {
            await using var client = await server.ConnectRawAsync();
            // Force the race: connect_urls flip as fast as possible until this client read its
            // PONG. Bounded (at most ~16 MB of INFO queued to it, a quarter of max_pending): every
            // flip queues an INFO to each client past its first PONG, and unbounded churn on a
            // loaded machine, with the writer task waiting for a pool thread, piled INFOs past
            // max_pending: the slow-consumer close then dropped the queued PONG (one CI run).
            using var handshaken = new CancellationTokenSource();
            var churning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var churn = Task.Run(() =>
            {
                churning.SetResult();
                for (var flip = 0; flip < MaxFlipsPerClient && !handshaken.IsCancellationRequested; flip++)
                {
                    server.Server.AddClusterClientUrls(["10.0.0.2:4222"]);
                    server.Server.RemoveClusterClientUrls(["10.0.0.2:4222"]);
                }
            });
            await churning.Task;
            // CONNECT and PING in one write, as the official clients send them.
            await client.SendAsync(Connect + "\r\nPING\r\n");
            string line;
            try
            {
                line = await client.ReadLineAsync();
            }
            catch (AssertionException e)
            {
                throw new AssertionException($"client {i}: {e.Message}; the server's last log lines:\n" + string.Join("\n", logs.Texts.TakeLast(20)));
            }
            finally
            {
                await handshaken.CancelAsync();
                await churn;
            }
            Assert.That(line, Is.EqualTo("PONG"), $"client {i}: first line after CONNECT+PING");
        }
    }

    private const int MaxFlipsPerClient = 20_000;
}
