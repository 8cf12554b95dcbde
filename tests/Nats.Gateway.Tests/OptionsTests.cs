using Nats.Core.Config;
using Nats.Gateway.Config;

namespace Nats.Gateway.Tests;

/// <summary>The gateway {} block's listen value, read by core's one host:port parser as nats-server's parseListen.</summary>
[TestFixture]
public sealed class OptionsTests
{
    private static GatewayOptions Parse(string entry) =>
        GatewayOptionsParser.Parse(ConfParser.ParseString($"gateway {{\nname: A\n{entry}\n}}\n", "gw.conf")["gateway"]);

    [TestCase("listen: 7222", "", 7222)]
    [TestCase("listen: \"127.0.0.1:7222\"", "127.0.0.1", 7222)]
    [TestCase("listen: \"[::1]:7222\"", "::1", 7222)]
    [TestCase("listen: \":7222\"", "", 7222)]
    public void Listen_takes_a_port_or_host_and_port(string entry, string host, int port)
    {
        var options = Parse(entry);
        Assert.That((options.Host, options.Port), Is.EqualTo((host, port)));
    }

    [TestCase("listen: \"nope\"", "gw.conf:3:1: could not parse address string \"nope\"")]
    [TestCase("listen: \"::1:7222\"", "could not parse address string \"::1:7222\"")]
    [TestCase("listen: \"h:x\"", "could not parse port \"x\"")]
    [TestCase("listen: true", "expected port or host:port, got bool")]
    [TestCase("gateways: 1", "Expected gateways field to be an array, got int64")]
    public void Bad_values_are_refused_with_nats_servers_texts(string entry, string expected)
    {
        var error = Assert.Throws(Is.InstanceOf<ConfigException>(), () => Parse(entry))!;
        Assert.That(error.Message, Does.Contain(expected));
    }
}
