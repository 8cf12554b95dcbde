using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Leafnode.Config;

namespace Nats.Leafnode.Tests.Config;

/// <summary>The leafnodes block parses as nats-server's parseLeafNodes and refuses what it refuses, with its texts.</summary>
[TestFixture]
public sealed class OptionsParserTests
{
    private const string UserSeed = "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU";

    private static LeafnodeOptions Parse(string config)
    {
        var root = ConfParser.ParseString(config, "leaf.conf");
        var server = ServerOptionsBinder.Bind(root).Options;
        root.AsMap().TryGet("leafnodes", out var section);
        return LeafnodeOptionsParser.Parse(section, server);
    }

    private static string Error(string config) => Assert.Throws<ConfigException>(() => Parse(config))!.Message;

    [Test]
    public void Listen_authorization_and_remotes_are_read_with_their_aliases()
    {
        var options = Parse("""
            accounts { A { users: [ {user: a, password: a} ] }, B {} }
            leafnodes {
              listen: "127.0.0.1:7422"
              advertise: "example.com:7000"
              authorization { user: leaf, password: secret, account: A, timeout: 3 }
              reconnect: 5
              remotes: [
                { urls: ["nats-leaf://u:p@h1:7422", "nats-leaf://h2:7422"], account: B, hub: true, deny_imports: "x.>", deny_exports: ["y", "z.*"] }
                { url: "nats://h3:7422", seed: "SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU" }
              ]
            }
            """);
        Assert.That((options.Host, options.Port, options.Advertise), Is.EqualTo(("127.0.0.1", 7422, "example.com:7000")));
        Assert.That((options.Username, options.Password, options.Account, options.AuthTimeout), Is.EqualTo(("leaf", "secret", "A", TimeSpan.FromSeconds(3))));
        Assert.That(options.ReconnectInterval, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(options.Remotes, Has.Count.EqualTo(2));
        var first = options.Remotes[0];
        Assert.That(first.Urls.Select(u => u.Authority), Is.EqualTo(new[] { "h1:7422", "h2:7422" }));
        Assert.That((first.LocalAccount, first.Hub), Is.EqualTo(("B", true)));
        Assert.That(first.DenyImports, Is.EqualTo(new[] { "x.>" }));
        Assert.That(first.DenyExports, Is.EqualTo(new[] { "y", "z.*" }));
        Assert.That(first.SafeName, Is.EqualTo("nats-leaf://u:xxxxx@h1:7422"));
        Assert.That(options.Remotes[1].NKeySeed, Is.EqualTo(UserSeed));
    }

    [Test]
    public void A_port_alone_listens_on_all_interfaces()
    {
        Assert.That(Parse("leafnodes { port: 7422 }").Host, Is.EqualTo("0.0.0.0"));
    }

    [Test]
    public void The_same_section_parses_equal_so_a_reload_sees_no_change()
    {
        const string config = """leafnodes { port: 7422, authorization { users: [ {user: a, password: b} ] }, remotes: [ { url: "nats://h:1", deny_imports: ["a"] } ] }""";
        Assert.That(Parse(config), Is.EqualTo(Parse(config)));
    }

    [TestCase("leafnodes: 5", "leaf.conf:1:12: Expected map to define a leafnode, got int64")]
    [TestCase("leafnodes { foo: 1 }", "leaf.conf:1:13: unknown field \"foo\"")]
    [TestCase("leafnodes { authorization { user: a, password: b, users: [ {user: c, password: d} ] } }", "leaf.conf:1:13: can not have a single user/pass and a users array")]
    [TestCase("leafnodes { authorization { users: [ {user: c, password: d}, {user: c, password: e} ] } }", "leaf.conf:1:13: duplicate user \"c\" detected in leafnode authorization")]
    [TestCase("leafnodes { authorization { nkey: \"SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU\" } }", "leaf.conf:1:29: Not a valid public nkey for leafnode authorization")]
    [TestCase("leafnodes { remotes: [ { url: \"nats://h:1\", nkey: \"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\" } ] }", "leaf.conf:1:45: Remote leafnode nkey is not a valid seed: \"UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4\"")]
    [TestCase("leafnodes { remotes: [ { url: \"nats://h:1\", credentials: \"/x.creds\", nkey: \"SUAMLK2ZNL35WSMW37E7UD4VZ7ELPKW7DHC3BWBSD2GCZ7IUQQXZIORRBU\" } ] }", "leaf.conf:1:70: Remote leafnode can not have both creds and nkey defined")]
    [TestCase("leafnodes { remotes: [ { url: \"nats://h:1\", account: NOPE } ] }", "leaf.conf:1:11: cannot find local account \"NOPE\" specified in leafnode remote")]
    [TestCase("leafnodes { authorization { user: a, password: b, account: NOPE } }", "leaf.conf:1:13: cannot find local account \"NOPE\" specified in leafnode authorization")]
    [TestCase("leafnodes { remotes: 1 }", "leaf.conf:1:22: Expected remotes field to be an array, got int64")]
    public void Bad_sections_are_refused_naming_the_position(string config, string expected)
    {
        Assert.That(Error(config), Is.EqualTo(expected));
    }

    [Test]
    public void Websocket_remotes_take_their_options_and_may_not_mix_schemes()
    {
        var remote = Parse("""leafnodes { remotes: [ { url: "wss://hub:443", ws_compression: true, ws_no_masking: true } ] }""").Remotes.Single();
        Assert.That((remote.WebSocketCompression, remote.WebSocketNoMasking), Is.EqualTo((true, true)));
        Assert.That(Error("""leafnodes { remotes: [ { urls: ["ws://127.0.0.1:1", "nats-leaf://127.0.0.1:2"] } ] }"""),
            Does.Contain("remote leaf node configuration cannot have a mix of websocket and non-websocket urls: [\"ws://127.0.0.1:1\" \"nats-leaf://127.0.0.1:2\"]"));
    }
}
