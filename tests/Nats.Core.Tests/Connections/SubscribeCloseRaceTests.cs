using Nats.Core.Accounts;
using Nats.Core.Connections;
using Nats.Core.Subjects;
using Nats.TestSupport;

namespace Nats.Core.Tests.Connections;

/// <summary>
/// A SUB racing the connection's close (issue 7): the interest it announces must be withdrawn
/// after it was announced, never before, or a route keeps the RS+ forever.
/// </summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class SubscribeCloseRaceTests
{
    [Test]
    public async Task A_close_during_a_subscribe_withdraws_the_interest_after_it_was_announced()
    {
        await using var server = await TestServer.StartAsync();
        var recorder = new Recorder();
        // The closer runs first and closes the client from another thread while the SUB is
        // being announced; the recorder, after it, sees what a route's counting would see.
        server.Server.AddInterestObserver(new Closer(recorder));
        server.Server.AddInterestObserver(recorder);

        await using var client = await server.ConnectAsync();
        await client.SendAsync("SUB race.x 1\r\n");

        await TestServer.WaitUntilAsync(() => recorder.Snapshot().Length == 2, "the subscription added and removed");
        Assert.That(recorder.Snapshot(), Is.EqualTo(new[] { "+race.x", "-race.x" }), "removed before it was added: a route would keep the RS+");
        Assert.That(server.Server.Accounts.Global.Sublist.Match("race.x"u8).IsEmpty, Is.True, "no orphan in the sublist");
    }

    /// <summary>Records add/remove in the order observers are told.</summary>
    private sealed class Recorder : IInterestObserver
    {
        private readonly List<string> _events = [];

        public SemaphoreSlim Removed { get; } = new(0);

        public string[] Snapshot()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        public void OnSubscriptionAdded(Account account, Subscription subscription) => Add("+" + subscription.SubjectString);

        public void OnSubscriptionRemoved(Account account, Subscription subscription)
        {
            Add("-" + subscription.SubjectString);
            Removed.Release();
        }

        private void Add(string e)
        {
            if (e.EndsWith(".x", StringComparison.Ordinal))
            {
                lock (_events)
                {
                    _events.Add(e);
                }
            }
        }
    }

    /// <summary>
    /// On the SUB's announcement, closes its client from another thread and gives that close
    /// a moment to finish (it cannot when the subscribe holds the collection lock, as it must).
    /// </summary>
    private sealed class Closer(Recorder recorder) : IInterestObserver
    {
        public void OnSubscriptionAdded(Account account, Subscription subscription)
        {
            if (subscription.SubjectString != "race.x" || subscription.Sink is not ClientConnection client)
            {
                return;
            }
            _ = Task.Run(() => client.Close(ClosedReason.ServerShutdown));
            recorder.Removed.Wait(TimeSpan.FromMilliseconds(500));
        }

        public void OnSubscriptionRemoved(Account account, Subscription subscription)
        {
        }
    }
}
