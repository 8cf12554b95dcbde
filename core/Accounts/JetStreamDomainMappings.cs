using Nats.Core.Config;

namespace Nats.Core.Accounts;

/// <summary>
/// nats-server's <c>generateJSMappingTable</c>: the subject mappings between a JetStream domain's
/// API (<c>$JS.&lt;domain&gt;.API.…</c>) and the local API, <c>$KV.&gt;</c> and <c>$OBJ.&gt;</c>.
/// nats-server adds them to an account so that requests for a domain reach the JetStream that
/// runs it: to every JetStream account of a server with a domain, to the account of every leaf
/// link of such a server (<c>addLeafNodeConnection</c>), and reversed to the accounts that
/// <c>default_js_domain</c> sends to another domain. Plugins add them with
/// <see cref="AccountRegistry.AddMappings"/>.
/// </summary>
/// <remarks>
/// <c>$KV</c> and <c>$OBJ</c> sit under the domain's API with their own token
/// (<c>$JS.hub.API.$KV.bucket.key</c>), which is how clients with a domain put KV entries.
/// </remarks>
public static class JetStreamDomainMappings
{
    private static readonly (string Suffix, string Local)[] Table =
    [
        ("INFO", "$JS.API.INFO"),
        ("STREAM.>", "$JS.API.STREAM.>"),
        ("CONSUMER.>", "$JS.API.CONSUMER.>"),
        ("DIRECT.>", "$JS.API.DIRECT.>"),
        ("META.>", "$JS.API.META.>"),
        ("SERVER.>", "$JS.API.SERVER.>"),
        ("ACCOUNT.>", "$JS.API.ACCOUNT.>"),
        ("$KV.>", "$KV.>"),
        ("$OBJ.>", "$OBJ.>"),
    ];

    /// <summary>From <paramref name="domain"/>'s API to the local one (<c>$JS.hub.API.STREAM.&gt;</c> → <c>$JS.API.STREAM.&gt;</c>).</summary>
    public static IReadOnlyList<MappingConfig> ToLocal(string domain) =>
        [.. Table.Select(e => Mapping($"$JS.{domain}.API.{e.Suffix}", e.Local))];

    /// <summary>From the local API to <paramref name="domain"/>'s (<c>default_js_domain</c>: <c>$KV.&gt;</c> → <c>$JS.hub.API.$KV.&gt;</c>).</summary>
    public static IReadOnlyList<MappingConfig> ToDomain(string domain) =>
        [.. Table.Select(e => Mapping(e.Local, $"$JS.{domain}.API.{e.Suffix}"))];

    private static MappingConfig Mapping(string source, string destination) =>
        new() { Source = source, Destinations = [new MappingDestinationConfig { Subject = destination }] };
}
