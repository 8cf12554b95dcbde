using Nats.Core.Config;
using Nats.Core.Config.Binding;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Config.Binding;

/// <summary><c>cluster {}</c>.</summary>
[TestFixture]
public sealed class ClusterBindingTests
{
    [Test]
    public void Cluster_options_are_bound()
    {
        var cluster = Options("""
            cluster {
              name: east
              listen: "127.0.0.1:6222"
              advertise: "east.example.com:6222"
              no_advertise: true
              connect_retries: 7
              pool_size: 4
              authorization { user: ruser, password: rpass, timeout: 0.5 }
              routes: [
                nats-route://ruser:rpass@127.0.0.1:6223
                "nats://127.0.0.1:6224"
              ]
            }
            """).Cluster;
        Assert.Multiple(() =>
        {
            Assert.That(cluster.Name, Is.EqualTo("east"));
            Assert.That((cluster.Host, cluster.Port), Is.EqualTo(("127.0.0.1", 6222)));
            Assert.That(cluster.Advertise, Is.EqualTo("east.example.com:6222"));
            Assert.That(cluster.NoAdvertise, Is.True);
            Assert.That(cluster.ConnectRetries, Is.EqualTo(7));
            Assert.That(cluster.PoolSize, Is.EqualTo(4));
            Assert.That((cluster.Username, cluster.Password), Is.EqualTo(("ruser", "rpass")));
            Assert.That(cluster.AuthTimeout, Is.EqualTo(TimeSpan.FromSeconds(0.5)));
            Assert.That(cluster.Routes.Select(r => r.ToString()), Is.EqualTo(new[] { "nats-route://ruser:rpass@127.0.0.1:6223/", "nats://127.0.0.1:6224/" }));
            Assert.That(cluster.Enabled, Is.True);
        });
    }

    [Test]
    public void Host_port_and_cluster_advertise_spellings()
    {
        var cluster = Options("cluster { host: 10.1.1.1, port: 7222, cluster_advertise: x:1 }").Cluster;
        Assert.That((cluster.Host, cluster.Port, cluster.Advertise), Is.EqualTo(("10.1.1.1", 7222, "x:1")));
    }

    [Test]
    public void A_listen_without_host_binds_every_interface()
    {
        Assert.That(Options("cluster { listen: 6333 }").Cluster.Host, Is.EqualTo("0.0.0.0"));
    }

    [TestCase("cluster { name: \"a b\" }", "cluster name cannot contain spaces")]
    [TestCase("cluster { listen: \"0.0.0.0:XXXX\" }", "could not parse port \"XXXX\"")]
    [TestCase("cluster { authorization { users: [{user: a}] } }", "Cluster authorization does not allow multiple users")]
    [TestCase("cluster { authorization { token: t } }", "Cluster authorization does not support tokens")]
    [TestCase("cluster { authorization { user: a, password: b, chain: [ user ] } }", "Cluster authorization does not support an authenticator chain")]
    [TestCase("cluster { routes: [\"0.0.0.0:XXXX\"] }", "error parsing route url [\"0.0.0.0:XXXX\"]")]
    [TestCase("cluster { peers: [] }", "unknown field \"peers\"")]
    [TestCase("cluster: 5", "Expected map to define cluster, got int64")]
    public void Bad_cluster_blocks_are_rejected_like_nats_server(string config, string reason) =>
        Assert.That(BindError(config).Errors.Select(e => e.Reason), Is.EqualTo(new[] { reason }));

    [Test]
    public void Duplicate_routes_are_a_warning_and_kept_once()
    {
        var result = Bind("cluster { port: 6222, routes: [\"nats://a:1\", \"nats://a:1\"] }");
        Assert.Multiple(() =>
        {
            Assert.That(result.Options.Cluster.Routes, Has.Count.EqualTo(1));
            Assert.That(result.Warnings.Select(w => w.Message), Is.EqualTo(new[]
            {
                "test.conf:1:46: invalid use of field \"nats://a:1\": Duplicate route entry detected",
            }));
        });
    }

    [Test]
    public void Cluster_settings_this_server_lacks_are_reported_as_ignored()
    {
        var result = Bind("cluster { port: 6222, compression: s2_auto }");
        Assert.That(result.Ignored.Select(i => i.Field), Is.EqualTo(new[] { "cluster.compression" }));
    }

    [Test]
    public void Cluster_tls_is_bound_with_the_tls_grammar()
    {
        var result = Bind("cluster { port: 6222, tls { cert_file: a, key_file: b, ca_file: c, timeout: 3 } }");
        Assert.That(result.Options.Cluster.Tls, Is.EqualTo(new TlsOptions { CertFile = "a", KeyFile = "b", CaFile = "c", Timeout = TimeSpan.FromSeconds(3) }));
    }

    [Test]
    public void A_bad_cluster_tls_block_is_an_error_at_its_key()
    {
        var ex = Assert.Throws<ConfigBindingException>(() => Bind("cluster {\n  port: 6222\n  tls { cert_file: a }\n}"));
        Assert.That(ex!.Message, Does.Contain("missing 'key_file' in TLS configuration"));
    }

    [Test]
    public void Permissions_in_the_cluster_authorization_block_are_deprecated()
    {
        var result = Bind("cluster {\n  authorization { user: a, password: b, permissions: { publish: \"x\" } }\n}");
        Assert.That(result.Warnings.Select(w => w.Message), Is.EqualTo(new[]
        {
            "test.conf:2:3: invalid use of field \"authorization\": setting \"permissions\" within cluster authorization block is deprecated",
        }));
    }
}
