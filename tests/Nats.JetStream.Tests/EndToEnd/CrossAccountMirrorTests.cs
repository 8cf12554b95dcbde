using System.Text;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;
using Nats.TestSupport;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>
/// Mirrors and sources of a stream of another account (<c>external</c>), through that account's
/// exports as nats-server's <c>TestJetStreamCrossAccountMirrorsAndSources</c> configures them, and
/// mirror/source subject transforms (nats-server 2.10), driven by NATS.Net.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class CrossAccountMirrorTests
{
    private const string Accounts = """
        accounts {
          JS {
            jetstream: enabled
            users: [{user: js, password: js}]
            exports: [
              { service: "$JS.API.CONSUMER.>" }
              { stream: "RI.DELIVER.SYNC.>" }
              { service: "$JS.FC.>" }
            ]
          }
          IA {
            jetstream: enabled
            users: [{user: ia, password: ia}]
            imports: [
              { service: { account: JS, subject: "$JS.API.CONSUMER.>" }, to: "RI.JS.API.CONSUMER.>" }
              { stream: { account: JS, subject: "RI.DELIVER.SYNC.>" } }
              { service: { account: JS, subject: "$JS.FC.>" } }
            ]
          }
          NOIMPORTS { jetstream: enabled, users: [{user: n, password: n}] }
        }
        """;

    [Test]
    public async Task A_mirror_and_a_source_of_another_account_copy_follow_and_resume_after_a_restart(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync(Accounts);
        await using var origin = server.Client("js", "js");
        var jsOrigin = origin.CreateJetStreamContext();
        await jsOrigin.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.*"]), ct);
        for (var i = 1; i <= 10; i++)
        {
            (await jsOrigin.PublishAsync($"orders.{(i % 2 == 0 ? "even" : "odd")}", $"m{i}", cancellationToken: ct)).EnsureSuccess();
        }
        await (await jsOrigin.GetStreamAsync("ORDERS", cancellationToken: ct)).DeleteMessageAsync(new StreamMsgDeleteRequest { Seq = 4, NoErase = true }, ct);

        await using (var ia = server.Client("ia", "ia"))
        {
            var js = ia.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig
            {
                Name = "M",
                Mirror = new StreamSource { Name = "ORDERS", External = new ExternalStreamSource { Api = "RI.JS.API", Deliver = "RI.DELIVER.SYNC.MIRRORS" } },
            }, ct);
            await js.CreateStreamAsync(new StreamConfig
            {
                Name = "S",
                Subjects = ["s.own"],
                Sources =
                [
                    new StreamSource
                    {
                        Name = "ORDERS",
                        External = new ExternalStreamSource { Api = "RI.JS.API", Deliver = "RI.DELIVER.SYNC.SOURCES" },
                        SubjectTransforms = [new SubjectTransform { Src = "orders.even", Dest = "from-js.even" }],
                    },
                ],
            }, ct);
            await MirrorTestsWait.LastAsync(js, "M", 10);
            await MirrorTestsWait.LastAsync(js, "S", 4);

            var mirror = await js.GetStreamAsync("M", cancellationToken: ct);
            Assert.That((mirror.Info.State.Messages, mirror.Info.State.FirstSeq, mirror.Info.State.LastSeq), Is.EqualTo((9L, 1UL, 10UL)));
            Assert.That(mirror.Info.Mirror?.External?.Api, Is.EqualTo("RI.JS.API"));
            var seven = await mirror.GetAsync(new StreamMsgGetRequest { Seq = 7 }, ct);
            Assert.That((seven.Message.Subject, Encoding.UTF8.GetString(seven.Message.Data.Span)), Is.EqualTo(("orders.odd", "m7")));
            Assert.ThrowsAsync<NatsJSApiException>(async () => await mirror.GetAsync(new StreamMsgGetRequest { Seq = 4 }, ct), "the origin's hole is the mirror's");

            var sourced = await ReadAllAsync(await js.GetStreamAsync("S", cancellationToken: ct), ct);
            Assert.That(sourced.Select(m => m.Subject).Distinct(), Is.EqualTo(new[] { "from-js.even" }), "only orders.even, under the transformed subject");
            Assert.That(sourced.Select(m => m.Payload), Is.EqualTo(new[] { "m2", "m6", "m8", "m10" }));
            Assert.That(sourced[0].Source, Is.EqualTo("ORDERS 2"));

            // New messages in the origin follow, while it keeps serving its own clients.
            for (var i = 11; i <= 14; i++)
            {
                (await jsOrigin.PublishAsync($"orders.{(i % 2 == 0 ? "even" : "odd")}", $"m{i}", cancellationToken: ct)).EnsureSuccess();
            }
            await MirrorTestsWait.LastAsync(js, "M", 14);
            await MirrorTestsWait.LastAsync(js, "S", 6);
        }

        await server.RestartAsync();
        await using var origin2 = server.Client("js", "js");
        jsOrigin = origin2.CreateJetStreamContext();
        for (var i = 15; i <= 16; i++)
        {
            (await jsOrigin.PublishAsync($"orders.{(i % 2 == 0 ? "even" : "odd")}", $"m{i}", cancellationToken: ct)).EnsureSuccess();
        }
        await using var ia2 = server.Client("ia", "ia");
        var js2 = ia2.CreateJetStreamContext();
        await MirrorTestsWait.LastAsync(js2, "M", 16);
        await MirrorTestsWait.LastAsync(js2, "S", 7);
        var m2 = await js2.GetStreamAsync("M", cancellationToken: ct);
        Assert.That((m2.Info.State.Messages, m2.Info.State.LastSeq), Is.EqualTo((15L, 16UL)), "resumed after its last sequence: nothing lost or repeated");
        var all = await ReadAllAsync(await js2.GetStreamAsync("S", cancellationToken: ct), ct);
        Assert.That(all.Select(m => m.Payload), Is.EqualTo(new[] { "m2", "m6", "m8", "m10", "m12", "m14", "m16" }), "each once across the restart");
    }

    [Test]
    public async Task Without_the_imports_a_mirror_of_another_account_copies_nothing_and_says_why(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync(Accounts);
        await using var origin = server.Client("js", "js");
        var jsOrigin = origin.CreateJetStreamContext();
        await jsOrigin.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.*"]), ct);
        (await jsOrigin.PublishAsync("orders.a", "x", cancellationToken: ct)).EnsureSuccess();

        await using var other = server.Client("n", "n");
        var js = other.CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig
        {
            Name = "M",
            Mirror = new StreamSource { Name = "ORDERS", External = new ExternalStreamSource { Api = "RI.JS.API", Deliver = "RI.DELIVER.SYNC.MIRRORS" } },
        }, ct);
        // Its own stream of that name in this account is not the other account's (nothing to reach it by).
        await Task.Delay(1500, ct); // a bounded wait for something that must NOT happen
        var mirror = await js.GetStreamAsync("M", cancellationToken: ct);
        Assert.That(mirror.Info.State.Messages, Is.EqualTo(0L));
    }

    [Test]
    public async Task Mirror_and_source_transform_errors_are_nats_servers(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync();
        var js = server.Client().CreateJetStreamContext();
        await js.CreateStreamAsync(new StreamConfig("O", ["o.>"]), ct);
        var both = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig
        {
            Name = "M",
            Mirror = new StreamSource { Name = "O", FilterSubject = "o.a", SubjectTransforms = [new SubjectTransform { Src = "o.b", Dest = "x.b" }] },
        }, ct))!;
        Assert.That(both.Error.ErrCode, Is.EqualTo(10150));
        var overlap = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig
        {
            Name = "S",
            Subjects = ["s"],
            Sources = [new StreamSource { Name = "O", SubjectTransforms = [new SubjectTransform { Src = "o.*", Dest = "x.$1" }, new SubjectTransform { Src = "o.a", Dest = "y" }] }],
        }, ct))!;
        Assert.That(overlap.Error.ErrCode, Is.EqualTo(10147));
        var badDest = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig
        {
            Name = "S",
            Subjects = ["s"],
            Sources = [new StreamSource { Name = "O", SubjectTransforms = [new SubjectTransform { Src = "o.*", Dest = "x.$2" }] }],
        }, ct))!;
        Assert.That(badDest.Error.ErrCode, Is.EqualTo(10146));

        // Within the account: a mirror stores under the transformed subjects, only the transforms' sources.
        (await js.PublishAsync("o.a", "1", cancellationToken: ct)).EnsureSuccess();
        (await js.PublishAsync("o.b", "2", cancellationToken: ct)).EnsureSuccess();
        (await js.PublishAsync("o.c", "3", cancellationToken: ct)).EnsureSuccess();
        await js.CreateStreamAsync(new StreamConfig
        {
            Name = "M",
            Mirror = new StreamSource { Name = "O", SubjectTransforms = [new SubjectTransform { Src = "o.a", Dest = "mapped.a" }, new SubjectTransform { Src = "o.c", Dest = "" }] },
        }, ct);
        await MirrorTestsWait.LastAsync(js, "M", 3);
        var m = await js.GetStreamAsync("M", cancellationToken: ct);
        var stored = await ReadAllAsync(m, ct);
        Assert.That(stored.Select(s => (s.Subject, s.Payload)), Is.EqualTo(new[] { ("mapped.a", "1"), ("o.c", "3") }));
    }

    private sealed record Stored(string Subject, string Payload, string? Source);

    private static async Task<List<Stored>> ReadAllAsync(INatsJSStream stream, CancellationToken ct)
    {
        var list = new List<Stored>();
        for (var seq = stream.Info.State.FirstSeq; seq <= stream.Info.State.LastSeq && seq > 0; seq++)
        {
            try
            {
                var m = await stream.GetAsync(new StreamMsgGetRequest { Seq = seq }, ct);
                string? source = null;
                if (m.Message.Hdrs is { } hdrs)
                {
                    var text = Encoding.UTF8.GetString(Convert.FromBase64String(hdrs));
                    source = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Nats-Stream-Source:", StringComparison.Ordinal))?["Nats-Stream-Source:".Length..].Trim();
                }
                list.Add(new Stored(m.Message.Subject, Encoding.UTF8.GetString(m.Message.Data.Span), source));
            }
            catch (NatsJSApiException)
            {
                // a skipped sequence
            }
        }
        return list;
    }
}

/// <summary>Waits for a stream (a mirror or a sourcing stream) to reach a last sequence whose message is readable (durable).</summary>
internal static class MirrorTestsWait
{
    public static Task LastAsync(INatsJSContext js, string stream, ulong last) =>
        Eventually.TrueAsync(async () =>
        {
            var s = await js.GetStreamAsync(stream);
            if (s.Info.State.LastSeq < last)
            {
                return false;
            }
            try
            {
                await s.GetAsync(new StreamMsgGetRequest { Seq = last });
                return true;
            }
            catch (NatsJSApiException)
            {
                return false;
            }
        }, $"{stream} to reach {last}", TimeSpan.FromSeconds(15));
}
