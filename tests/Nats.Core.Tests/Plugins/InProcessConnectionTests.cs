using Nats.Core.Config;

namespace Nats.Core.Tests.Plugins;

[TestFixture]
[CancelAfter(30_000)]
public sealed class InProcessConnectionTests
{
    [Test]
    public async Task DisposeWaitsForTheHandlerThatIsRunning()
    {
        await using var server = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = -1 });
        await server.StartAsync();
        var connection = server.ConnectInProcess();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = false;
        connection.Subscribe("work", null, async _ =>
        {
            entered.SetResult();
            await release.Task;
            finished = true;
        });
        connection.Publish("work", "x"u8);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(5));

        var disposed = connection.DisposeAsync().AsTask();
        await Task.Delay(100);
        Assert.That(disposed.IsCompleted, Is.False, "a plugin disposing its connection at stop must be able to rely on its handlers being done");
        release.SetResult();
        await disposed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(finished, Is.True);
    }
}
