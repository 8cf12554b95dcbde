using Nats.Mqtt.Sessions;

namespace Nats.Mqtt.Tests;

/// <summary>
/// The CONNECT deadline measures the client: it runs out for a client that sent nothing, and is
/// extended (a bounded number of times) while the client's bytes wait unread in the socket.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class ConnectDeadlineTests
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(50);

    [Test]
    public async Task It_runs_out_for_a_client_that_sent_nothing()
    {
        var asked = 0;
        using var deadline = new ConnectDeadline(Period, () =>
        {
            Interlocked.Increment(ref asked);
            return false;
        });
        await WhenExpiredAsync(deadline);
        Assert.That(asked, Is.EqualTo(1));
    }

    [Test]
    public async Task It_waits_while_the_clients_bytes_are_unread_but_not_forever()
    {
        var asked = 0;
        var expiredWhenAsked = false;
        ConnectDeadline? self = null;
        using var deadline = new ConnectDeadline(Period, () =>
        {
            Interlocked.Increment(ref asked);
            expiredWhenAsked |= self?.Expired == true;
            return true;
        });
        self = deadline;
        await WhenExpiredAsync(deadline);
        // Extended at each of the first three due times, expired at the fourth without asking.
        Assert.That((asked, expiredWhenAsked), Is.EqualTo((3, false)));
    }

    [Test]
    public async Task Without_a_way_to_look_at_the_transport_it_runs_out_on_time()
    {
        using var deadline = new ConnectDeadline(Period, null);
        await WhenExpiredAsync(deadline);
    }

    [Test]
    public async Task Disposed_it_never_expires()
    {
        var deadline = new ConnectDeadline(Period, () => false);
        deadline.Dispose();
        await Task.Delay(Period * 4);
        Assert.That(deadline.Expired, Is.False);
    }

    private static Task WhenExpiredAsync(ConnectDeadline deadline)
    {
        var expired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        deadline.Token.Register(() => expired.TrySetResult());
        return expired.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
