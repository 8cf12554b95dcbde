using System.Text;
using Nats.Core.Accounts;
using Nats.Core.Config;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// Mappings the server adds to an account (<see cref="AccountRegistry.AddMappings"/>, nats-server's
/// <c>AddMapping</c> by JetStream and leaf links) and nats-server's JetStream domain mapping table.
/// </summary>
[TestFixture]
public sealed class AddedMappingTests
{
    private static string? Map(Account account, string subject) =>
        account.MapSubject(Encoding.ASCII.GetBytes(subject)) is { } mapped ? Encoding.ASCII.GetString(mapped) : null;

    private static MappingConfig Mapping(string source, string destination) =>
        new() { Source = source, Destinations = [new MappingDestinationConfig { Subject = destination }] };

    [Test]
    public void Added_mappings_apply_yield_to_configured_ones_and_survive_a_redefinition()
    {
        var registry = AccountRegistry.Build(new AuthOptions(), sublistCache: true);
        var account = registry.Register(new AccountConfig { Name = "A", Mappings = [Mapping("x", "configured")] });
        var updates = 0;
        registry.AccountUpdated += _ => updates++;

        var added = registry.AddMappings(account, [Mapping("x", "added"), Mapping("q", "r")]);
        Assert.That(added.Select(m => m.Source), Is.EqualTo(new[] { "q" }), "a configured source wins");
        Assert.That((Map(account, "x"), Map(account, "q"), updates), Is.EqualTo(("configured", "r", 1)));
        Assert.That(registry.AddMappings(account, [Mapping("q", "other")]), Is.Empty, "a source already added stays");
        Assert.That(updates, Is.EqualTo(1), "nothing added, no event");

        registry.Update(new AccountConfig { Name = "A" });
        Assert.That((Map(account, "x"), Map(account, "q")), Is.EqualTo(((string?)null, "r")), "kept across a redefinition");
    }

    [Test]
    public void The_domain_table_maps_the_api_kv_and_obj_both_ways()
    {
        var registry = AccountRegistry.Build(new AuthOptions(), sublistCache: true);
        var hub = registry.Register(new AccountConfig { Name = "HUB" });
        var leaf = registry.Register(new AccountConfig { Name = "LEAF" });
        registry.AddMappings(hub, JetStreamDomainMappings.ToLocal("hub"));
        registry.AddMappings(leaf, JetStreamDomainMappings.ToDomain("hub"));
        Assert.Multiple(() =>
        {
            Assert.That(Map(hub, "$JS.hub.API.INFO"), Is.EqualTo("$JS.API.INFO"));
            Assert.That(Map(hub, "$JS.hub.API.STREAM.INFO.S"), Is.EqualTo("$JS.API.STREAM.INFO.S"));
            Assert.That(Map(hub, "$JS.hub.API.CONSUMER.MSG.NEXT.S.C"), Is.EqualTo("$JS.API.CONSUMER.MSG.NEXT.S.C"));
            Assert.That(Map(hub, "$JS.hub.API.DIRECT.GET.KV_b.$KV.b.k"), Is.EqualTo("$JS.API.DIRECT.GET.KV_b.$KV.b.k"));
            Assert.That(Map(hub, "$JS.hub.API.$KV.b.k"), Is.EqualTo("$KV.b.k"));
            Assert.That(Map(hub, "$JS.hub.API.$OBJ.x"), Is.EqualTo("$OBJ.x"));
            Assert.That(Map(hub, "$JS.API.INFO"), Is.Null);
            Assert.That(Map(leaf, "$KV.b.k"), Is.EqualTo("$JS.hub.API.$KV.b.k"));
            Assert.That(Map(leaf, "$JS.API.STREAM.NAMES"), Is.EqualTo("$JS.hub.API.STREAM.NAMES"));
            Assert.That(Map(leaf, "$JS.API.INFO"), Is.EqualTo("$JS.hub.API.INFO"));
        });
    }
}
