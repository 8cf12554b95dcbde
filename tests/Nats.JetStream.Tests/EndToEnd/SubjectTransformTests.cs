using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// A stream's <c>subject_transform</c> (nats-server 2.10) through NATS.Net: messages are stored,
/// filtered and read back under the transformed subject; bad transforms get nats-server's codes.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SubjectTransformTests
{
    [Test]
    public async Task Messages_are_stored_under_the_transformed_subject(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();

        var created = await js.CreateStreamAsync(new StreamConfig("T", ["t.*.*", "keep.>"])
        {
            SubjectTransform = new SubjectTransform { Src = "t.*.*", Dest = "u.{{wildcard(2)}}.$1" },
            AllowDirect = true,
        }, ct);
        Assert.That((created.Info.Config.SubjectTransform?.Src, created.Info.Config.SubjectTransform?.Dest), Is.EqualTo(("t.*.*", "u.{{wildcard(2)}}.$1")));

        (await js.PublishAsync("t.a.b", "one", cancellationToken: ct)).EnsureSuccess();
        (await js.PublishAsync("keep.x", "two", cancellationToken: ct)).EnsureSuccess();
        // Expectations see the stored subject: the last message on u.b.a is 1.
        var expected = await js.PublishAsync("t.a.b", "three", opts: new NatsJSPubOpts { ExpectedLastSubjectSequence = 1 }, cancellationToken: ct);
        expected.EnsureSuccess();
        Assert.That(expected.Seq, Is.EqualTo(3UL));

        var stream = await js.GetStreamAsync("T", new StreamInfoRequest { SubjectsFilter = ">" }, ct);
        Assert.That(stream.Info.State.Subjects, Is.EquivalentTo(new Dictionary<string, ulong> { ["u.b.a"] = 2, ["keep.x"] = 1 }));
        var first = await stream.GetAsync(new StreamMsgGetRequest { Seq = 1 }, ct);
        Assert.That(first.Message.Subject, Is.EqualTo("u.b.a"));

        var consumer = await js.CreateOrUpdateConsumerAsync("T", new ConsumerConfig("c") { FilterSubject = "u.>", AckPolicy = ConsumerConfigAckPolicy.None }, ct);
        var received = new List<(string, string?)>();
        await foreach (var msg in consumer.FetchAsync<string>(new NatsJSFetchOpts { MaxMsgs = 2, Expires = TimeSpan.FromSeconds(5) }, cancellationToken: ct))
        {
            received.Add((msg.Subject, msg.Data));
        }
        Assert.That(received, Is.EqualTo(new[] { ("u.b.a", (string?)"one"), ("u.b.a", "three") }));
    }

    [Test]
    public async Task Transform_functions_are_the_kernels_the_ones_subject_mappings_use(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("P", ["p.*"])
        {
            SubjectTransform = new SubjectTransform { Src = "p.*", Dest = "q.{{partition(10,1)}}.{{splitfromleft(1,2)}}" },
        }, ct);
        (await js.PublishAsync("p.foo", "x", cancellationToken: ct)).EnsureSuccess();
        var stream = await js.GetStreamAsync("P", new StreamInfoRequest { SubjectsFilter = ">" }, ct);
        // nats-server's own vector: "foo" is partition 3 of 10.
        Assert.That(stream.Info.State.Subjects!.Keys, Is.EquivalentTo(new[] { "q.3.fo.o" }));
    }

    [TestCase("t..x", "u.$1", 10155, "stream transform source: invalid subject t..x")]
    [TestCase("t.*", "u.$2", 10156, "stream transform: invalid mapping destination: wildcard index out of range in $2: [2]")]
    [TestCase("t.*", "u.*", 10156, "stream transform: invalid subject")]
    [TestCase("t.*", "u.{{nope(1)}}", 10156, "stream transform: invalid mapping destination: unknown function in {{nope(1)}}")]
    public async Task Bad_transforms_are_refused(string src, string dest, int code, string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var server = await JetStreamServer.StartAsync();
        await using var nats = server.Client();
        var js = nats.CreateJetStreamContext();
        var error = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig("T", ["t.>"])
        {
            SubjectTransform = new SubjectTransform { Src = src, Dest = dest },
        }, cts.Token))!;
        Assert.That((error.Error.ErrCode, error.Error.Description), Is.EqualTo((code, text)));
    }
}
