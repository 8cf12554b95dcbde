using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// Stream info under concurrent publishes (NATS.Net): every message it counts can be read, as
/// with nats-server; a message whose publish is not yet durable (not acknowledged) is not counted.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class StreamInfoUnderLoadTests
{
    [Test]
    public async Task Stream_info_counts_only_readable_messages_while_publishes_are_in_flight(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var publisher = server.Client();
        await using var reader = server.Client();
        var js = publisher.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("LOAD", ["load.>"]), ct);
        var readJs = reader.CreateJetStreamContext();
        var stream = await readJs.GetStreamAsync("LOAD", cancellationToken: ct);

        const int publishers = 4, each = 2_000, window = 64;
        var publishing = Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            var inFlight = new List<Task<PubAckResponse>>(window);
            for (var i = 0; i < each; i++)
            {
                inFlight.Add(js.PublishAsync($"load.{p}", i, cancellationToken: ct).AsTask());
                if (inFlight.Count == window)
                {
                    foreach (var ack in await Task.WhenAll(inFlight))
                    {
                        ack.EnsureSuccess();
                    }
                    inFlight.Clear();
                }
            }
            foreach (var ack in await Task.WhenAll(inFlight))
            {
                ack.EnsureSuccess();
            }
        }, ct)).ToArray();

        var checks = 0;
        var problems = new List<string>();
        while (!publishing.All(t => t.IsCompleted) && problems.Count < 5)
        {
            await stream.RefreshAsync(ct);
            var state = stream.Info.State;
            checks++;
            if (state.Messages != (long)state.LastSeq)
            {
                problems.Add($"messages {state.Messages} but last_seq {state.LastSeq} (nothing is removed)");
            }
            if (state.LastSeq > 0)
            {
                try
                {
                    await stream.GetAsync(new StreamMsgGetRequest { Seq = state.LastSeq }, ct);
                }
                catch (NatsJSApiException e)
                {
                    problems.Add($"last_seq {state.LastSeq} counted but not readable: {e.Error.ErrCode} {e.Error.Description}");
                }
            }
        }
        await Task.WhenAll(publishing);
        await stream.RefreshAsync(ct);
        TestContext.Out.WriteLine($"{checks} stream info checks while publishing");
        Assert.That(problems, Is.Empty);
        Assert.That(checks, Is.GreaterThan(3), "stream info was asked while publishes were in flight");
        Assert.That(stream.Info.State.Messages, Is.EqualTo(publishers * each));
    }
}
