using NATS.Client.Core;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// An exporter's account JWT, pushed over <c>$SYS</c>, revoking an importer's activation of its
/// private stream and service exports: the importer's live client stops receiving the stream and
/// can no longer reach the service (nats-server's <c>updateAccountClaimsWithRefresh</c>: the
/// changed <c>actsRevoked</c> re-runs <c>checkActivation</c> for every import of the exporter,
/// marks the imports invalid and removes the stream import's subscriptions). The same scenario runs
/// on nats-server 2.9.10 and on this server, with the same outcome (but for how the cut-off
/// request ends, see the test).
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ActivationRevocationTests
{
    [Test]
    public async Task Revoking_an_activation_cuts_a_live_importer_off_the_stream_and_the_service()
    {
        using var setup = new OperatorSetup();
        var scenario = new Scenario(setup);
        var (ours, reference) = await ReferenceParity.RunAsync(port => setup.MemoryConfig(port, scenario.InitialJwts), scenario.RunAsync);

        Assert.That(ours, Is.EqualTo(new[]
        {
            "stream before: events.before",
            "service before: served before",
            "bystander before: events.before",
            "update: jwt updated",
            "stream after: nothing",
            "service after: no responders",
            "bystander after: events.after",
        }));
        if (reference is null)
        {
            Assert.Ignore("nats-server 2.9.10 is not installed: the outcome was not compared with it");
        }
        // One difference on purpose: nats-server keeps the revoked service import's subscription
        // (marked invalid, its messages dropped), so the request finds a subscriber and times out;
        // here the import is gone and the requester is told at once, as nats-server tells it after
        // a restart with the same JWTs (the import is then refused and never subscribed).
        var expected = ours.Select(line => line == "service after: no responders" ? "service after: no reply" : line);
        Assert.That(reference, Is.EqualTo(expected), "nats-server 2.9.10 sees the same");
    }

    /// <summary>An exporter of a private stream and service; an importer holding activations for both, and a bystander importing the stream too.</summary>
    private sealed class Scenario
    {
        private readonly OperatorSetup _setup;
        private readonly TestAccount _exporter;
        private readonly TestAccount _importer;
        private readonly TestAccount _bystander;
        private readonly DateTimeOffset _issued = DateTimeOffset.UtcNow.AddMinutes(-10);

        public Scenario(OperatorSetup setup)
        {
            _setup = setup;
            _exporter = setup.NewAccount("EXP");
            _importer = setup.NewAccount("IMP");
            _bystander = setup.NewAccount("BYSTANDER");
            InitialJwts = [ExporterJwt(revoke: false, _issued), ImporterJwt(_importer, withService: true), ImporterJwt(_bystander, withService: false)];
        }

        public string[] InitialJwts { get; }

        public async Task<List<string>> RunAsync(int port)
        {
            var seen = new List<string>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await using var exporter = _setup.NewUser(_exporter, "exporter").Client(port);
            await using var importer = _setup.NewUser(_importer, "importer").Client(port);
            await using var bystander = _setup.NewUser(_bystander, "bystander").Client(port);

            await using var requests = await exporter.SubscribeCoreAsync<string>("svc.>", cancellationToken: cts.Token);
            var serving = Task.Run(async () =>
            {
                await foreach (var msg in requests.Msgs.ReadAllAsync(cts.Token))
                {
                    await msg.ReplyAsync("served " + msg.Data, cancellationToken: cts.Token);
                }
            }, cts.Token);
            await exporter.PingAsync(cts.Token);
            await using var events = await importer.SubscribeCoreAsync<string>("events.>", cancellationToken: cts.Token);
            await importer.PingAsync(cts.Token);
            await using var bystanderEvents = await bystander.SubscribeCoreAsync<string>("events.>", cancellationToken: cts.Token);
            await bystander.PingAsync(cts.Token);

            await exporter.PublishAsync("events.before", "x", cancellationToken: cts.Token);
            seen.Add("stream before: " + await NextAsync(events, cts.Token));
            seen.Add("service before: " + await RequestAsync(importer, "before", cts.Token));
            seen.Add("bystander before: " + await NextAsync(bystanderEvents, cts.Token));

            seen.Add("update: " + await _setup.PushAsync(port, ExporterJwt(revoke: true)));

            await exporter.PublishAsync("events.after", "x", cancellationToken: cts.Token);
            // The bystander's copy shows the message went out; the importer's, had it one, was sent before it.
            var bystanderAfter = await NextAsync(bystanderEvents, cts.Token);
            await importer.PingAsync(cts.Token);
            seen.Add("stream after: " + await NextAsync(events, cts.Token, TimeSpan.FromMilliseconds(500)));
            seen.Add("service after: " + await RequestAsync(importer, "after", cts.Token));
            seen.Add("bystander after: " + bystanderAfter);
            return seen;
        }

        private static async Task<string> NextAsync(INatsSub<string> sub, CancellationToken cancellationToken, TimeSpan? wait = null)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(wait ?? TimeSpan.FromSeconds(15));
            try
            {
                return (await sub.Msgs.ReadAsync(bounded.Token)).Subject;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return "nothing";
            }
        }

        private static async Task<string> RequestAsync(NatsConnection client, string body, CancellationToken cancellationToken)
        {
            try
            {
                var reply = await client.RequestAsync<string, string>("svc.echo", body,
                    replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(2) }, cancellationToken: cancellationToken);
                return reply.Data ?? "empty";
            }
            catch (NatsNoRespondersException)
            {
                return "no responders";
            }
            catch (NatsNoReplyException)
            {
                return "no reply";
            }
        }

        private string ExporterJwt(bool revoke, DateTimeOffset? issuedAt = null) => _setup.AccountJwt(_exporter, a =>
        {
            RevocationList? revocations = null;
            if (revoke)
            {
                revocations = new RevocationList();
                revocations.Revoke(_importer.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1));
            }
            a.Nats.Exports =
            [
                new Export { Name = "events", Subject = "events.>", Type = ExportType.Stream, TokenRequired = true, Revocations = revocations },
                new Export { Name = "svc", Subject = "svc.>", Type = ExportType.Service, TokenRequired = true, Revocations = revocations },
            ];
        }, issuedAt);

        private string ImporterJwt(TestAccount importer, bool withService)
        {
            var imports = new List<Import>
            {
                new() { Name = "events", Subject = "events.>", Account = _exporter.Key.PublicKey, Type = ExportType.Stream, Token = Activation(importer, "events.>", ExportType.Stream) },
            };
            if (withService)
            {
                imports.Add(new() { Name = "svc", Subject = "svc.>", Account = _exporter.Key.PublicKey, Type = ExportType.Service, Token = Activation(importer, "svc.>", ExportType.Service) });
            }
            return _setup.AccountJwt(importer, a => a.Nats.Imports = imports);
        }

        private string Activation(TestAccount holder, string subject, ExportType type) =>
            JwtCodec.Encode(new ActivationClaims { Subject = holder.Key.PublicKey, Name = subject, Nats = { ImportSubject = subject, ImportType = type } }, _exporter.Key, _issued);
    }
}
