using Nats.Interop.Tests.Infrastructure;
using NATS.Client.Core;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>
/// The official .NET client (NATS.Net 3.3.2), in-process, against the server under test:
/// pub/sub, request/reply, headers and queue groups.
/// </summary>
[CancelAfter(BudgetMs)]
public sealed class NatsNetClientTests : InteropTest
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Test]
    public async Task PubSub_delivers_every_message_in_order()
    {
        await using var nats = await ConnectAsync();
        using var cts = new CancellationTokenSource(Wait);
        await using var sub = await nats.SubscribeCoreAsync<int>("dotnet.pubsub", cancellationToken: cts.Token);
        await nats.PingAsync(cts.Token);
        for (var i = 0; i < 500; i++)
        {
            await nats.PublishAsync("dotnet.pubsub", i, cancellationToken: cts.Token);
        }
        var received = new List<int>();
        await foreach (var msg in sub.Msgs.ReadAllAsync(cts.Token))
        {
            received.Add(msg.Data);
            if (received.Count == 500)
            {
                break;
            }
        }
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, 500)));
    }

    [Test]
    public async Task Request_reply_round_trips_and_no_responders_is_reported()
    {
        await using var nats = await ConnectAsync();
        using var cts = new CancellationTokenSource(Wait);
        await using var sub = await nats.SubscribeCoreAsync<string>("dotnet.echo", cancellationToken: cts.Token);
        var responder = Task.Run(async () =>
        {
            await foreach (var msg in sub.Msgs.ReadAllAsync(cts.Token))
            {
                await msg.ReplyAsync("echo: " + msg.Data, cancellationToken: cts.Token);
            }
        });
        await nats.PingAsync(cts.Token);

        var reply = await nats.RequestAsync<string, string>("dotnet.echo", "hi", cancellationToken: cts.Token);

        Assert.That(reply.Data, Is.EqualTo("echo: hi"));
        Assert.ThrowsAsync<NatsNoRespondersException>(async () =>
            await nats.RequestAsync<string, string>("dotnet.nobody", "x", cancellationToken: cts.Token));
        await sub.UnsubscribeAsync();
        await responder;
    }

    [Test]
    public async Task Headers_arrive_as_sent()
    {
        await using var nats = await ConnectAsync();
        using var cts = new CancellationTokenSource(Wait);
        await using var sub = await nats.SubscribeCoreAsync<string>("dotnet.headers", cancellationToken: cts.Token);
        await nats.PingAsync(cts.Token);
        var headers = new NatsHeaders { ["X-One"] = "1", ["X-Many"] = new[] { "a", "b" } };

        await nats.PublishAsync("dotnet.headers", "body", headers: headers, cancellationToken: cts.Token);
        var msg = await sub.Msgs.ReadAsync(cts.Token);

        Assert.Multiple(() =>
        {
            Assert.That(msg.Data, Is.EqualTo("body"));
            Assert.That(msg.Headers?["X-One"].ToString(), Is.EqualTo("1"));
            Assert.That(msg.Headers?["X-Many"].ToArray(), Is.EqualTo(new[] { "a", "b" }));
        });
    }

    [Test]
    public async Task A_queue_group_gets_each_message_once()
    {
        await using var nats = await ConnectAsync();
        using var cts = new CancellationTokenSource(Wait);
        await using var first = await nats.SubscribeCoreAsync<int>("dotnet.work", queueGroup: "workers", cancellationToken: cts.Token);
        await using var second = await nats.SubscribeCoreAsync<int>("dotnet.work", queueGroup: "workers", cancellationToken: cts.Token);
        await nats.PingAsync(cts.Token);
        const int count = 200;
        for (var i = 0; i < count; i++)
        {
            await nats.PublishAsync("dotnet.work", i, cancellationToken: cts.Token);
        }
        await nats.PingAsync(cts.Token);

        var seen = new List<int>();
        while (seen.Count < count)
        {
            var a = first.Msgs.TryRead(out var m1);
            var b = second.Msgs.TryRead(out var m2);
            if (a) seen.Add(m1.Data);
            if (b) seen.Add(m2.Data);
            if (!a && !b)
            {
                await Task.Delay(10, cts.Token);
            }
        }
        Assert.That(seen.Order(), Is.EqualTo(Enumerable.Range(0, count)), "each message exactly once");
        Assert.That(first.Msgs.TryRead(out _) || second.Msgs.TryRead(out _), Is.False, "no duplicates");
    }

    private async Task<NatsConnection> ConnectAsync()
    {
        var server = await Scope.StartServerAsync();
        var nats = new NatsConnection(new NatsOpts { Url = server.Url, Name = "nats.net-interop" });
        await nats.ConnectAsync();
        return nats;
    }
}
