using System.Text.Json;
using Nats.JetStream.Engine;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Tests.Engine;

/// <summary>Advisories in the engine: the domain travels with them, and nothing is sent without interest (as nats-server).</summary>
[TestFixture]
[CancelAfter(20_000)]
public sealed class AdvisoryTests
{
    [Test]
    public void Action_and_audit_advisories_carry_the_domain_and_a_stream_delete_reports_its_consumers()
    {
        using var h = new AccountHarness(StorageType.Memory, new JsAccountOptions { Domain = "hub", ServerName = "n1", AccountName = "A" });
        h.CreateStream("S", "", "s.>");
        h.CreateConsumer("S", "C", "\"ack_policy\":\"explicit\"");
        h.Api("STREAM.DELETE.S");

        var created = JsonDocument.Parse(h.Output.To("$JS.EVENT.ADVISORY.STREAM.CREATED.S").Single()).RootElement;
        Assert.That((created.GetProperty("domain").GetString(), created.GetProperty("action").GetString()), Is.EqualTo(("hub", "create")));
        Assert.That(h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.C"), Has.Count.EqualTo(1));
        Assert.That(h.Output.To("$JS.EVENT.ADVISORY.CONSUMER.DELETED.S.C"), Has.Count.EqualTo(1), "deleting the stream deletes its consumers");
        Assert.That(h.Output.To("$JS.EVENT.ADVISORY.STREAM.DELETED.S"), Has.Count.EqualTo(1));
        var audits = h.Output.To("$JS.EVENT.ADVISORY.API").Select(a => JsonDocument.Parse(a).RootElement).ToList();
        Assert.That(audits.Select(a => a.GetProperty("subject").GetString()),
            Is.EqualTo(new[] { "$JS.API.STREAM.CREATE.S", "$JS.API.CONSUMER.CREATE.S.C", "$JS.API.STREAM.DELETE.S" }));
        Assert.That((audits[0].GetProperty("server").GetString(), audits[0].GetProperty("client").GetProperty("acc").GetString(), audits[0].GetProperty("domain").GetString()),
            Is.EqualTo(("n1", "A", "hub")));
        Assert.That(audits[2].TryGetProperty("request", out _), Is.False, "an empty request is omitted, as Go's omitempty");
    }

    [Test]
    public void Without_interest_nothing_is_published()
    {
        using var h = new AccountHarness(StorageType.Memory);
        h.Output.NoInterest["$JS.EVENT.ADVISORY.STREAM.CREATED.S"] = true;
        h.Output.NoInterest["$JS.EVENT.ADVISORY.API"] = true;
        h.CreateStream("S", "", "s.>");
        Assert.That(h.Output.Sent.Where(s => s.Subject.StartsWith("$JS.EVENT.", StringComparison.Ordinal)), Is.Empty);
    }
}
