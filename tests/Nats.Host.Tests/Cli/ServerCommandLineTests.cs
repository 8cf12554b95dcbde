using Nats.Core.Config;
using Nats.Host.Cli;

namespace Nats.Host.Tests.Cli;

/// <summary>nats-server's flags and how they land in the options.</summary>
[TestFixture]
public sealed class ServerCommandLineTests
{
    private static ServerOptions Apply(params string[] args)
    {
        var options = new ServerOptions();
        ServerCommandLine.Parse(args).ApplyTo(options);
        return options;
    }

    [Test]
    public void Server_flags_and_their_aliases()
    {
        var o = Apply("-a", "127.0.0.1", "--port=4333", "-n", "srv", "-P", "x.pid", "-m", "8333", "--client_advertise", "adv:1", "--ports_file_dir", "/tmp");
        Assert.Multiple(() =>
        {
            Assert.That(o.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(o.Port, Is.EqualTo(4333));
            Assert.That(o.ServerName, Is.EqualTo("srv"));
            Assert.That(o.PidFile, Is.EqualTo("x.pid"));
            Assert.That(o.Monitoring.Port, Is.EqualTo(8333));
            Assert.That(o.ClientAdvertise, Is.EqualTo("adv:1"));
            Assert.That(o.PortsFileDir, Is.EqualTo("/tmp"));
        });
        Assert.That(Apply("--addr", "h1").Host, Is.EqualTo("h1"));
        Assert.That(Apply("--net", "h2").Host, Is.EqualTo("h2"));
        Assert.That(Apply("--name", "n1").ServerName, Is.EqualTo("n1"));
        Assert.That(Apply("--server_name", "n2").ServerName, Is.EqualTo("n2"));
        Assert.That(Apply("--pid", "p").PidFile, Is.EqualTo("p"));
        Assert.That(Apply("--http_port", "1").Monitoring.Port, Is.EqualTo(1));
    }

    [Test]
    public void Logging_flags()
    {
        var o = Apply("-l", "x.log", "-T=false", "--logtime_utc", "-s", "--log_size_limit", "1024");
        Assert.That((o.Logging.LogFile, o.Logging.LogTime, o.Logging.LogTimeUtc, o.Logging.Syslog, o.Logging.LogSizeLimit),
            Is.EqualTo(("x.log", false, true, true, 1024L)));
        Assert.That(Apply("-D").Logging.Debug, Is.True);
        Assert.That(Apply("-V").Logging.Trace, Is.True);
        Assert.That(Apply("-VV").Logging.Trace, Is.True);
        Assert.That((Apply("-DV").Logging.Debug, Apply("-DV").Logging.Trace), Is.EqualTo((true, true)));
        Assert.That((Apply("-DVV").Logging.Debug, Apply("-DVV").Logging.Trace), Is.EqualTo((true, true)));
        Assert.That(Apply("--debug", "--trace").Logging.Trace, Is.True);
    }

    [Test]
    public void Auth_flags()
    {
        var o = Apply("--user", "u", "--pass", "p");
        Assert.That((o.Auth.Username, o.Auth.Password), Is.EqualTo(("u", "p")));
        Assert.That(Apply("--auth", "t").Auth.Token, Is.EqualTo("t"));
    }

    [Test]
    public void Feature_flags_are_kept_for_their_owners()
    {
        var o = Apply("-js", "-sd", "/data", "--tls", "--tlscert", "c.pem", "--tlskey", "k.pem", "--tlsverify", "--tlscacert", "ca.pem", "-ms", "8443", "--max_traced_msg_len", "64", "-r", "udp://x:514");
        Assert.Multiple(() =>
        {
            Assert.That(o.Flags.JetStream, Is.True);
            Assert.That(o.Flags.StoreDir, Is.EqualTo("/data"));
            Assert.That((o.Flags.Tls, o.Flags.TlsVerify), Is.EqualTo(((bool?)true, (bool?)true)));
            Assert.That((o.Flags.TlsCert, o.Flags.TlsKey, o.Flags.TlsCaCert), Is.EqualTo(("c.pem", "k.pem", "ca.pem")));
            Assert.That(o.Flags.HttpsPort, Is.EqualTo(8443));
            Assert.That(o.Logging.MaxTracedMessageLength, Is.EqualTo(64));
            Assert.That(o.Flags.RemoteSyslog, Is.EqualTo("udp://x:514"));
        });
        Assert.That(Apply("--jetstream=false").Flags.JetStream, Is.False);
        Assert.That(Apply("--store_dir", "/d").Flags.StoreDir, Is.EqualTo("/d"));
        Assert.That(Apply().Flags.JetStream, Is.Null);
    }

    [Test]
    public void Tls_flags_need_a_certificate_and_key_unless_tls_is_turned_off()
    {
        Assert.That(Assert.Throws<CommandLineException>(() => Apply("--tls"))!.Message, Is.EqualTo("TLS Server certificate must be present and valid"));
        Assert.That(Assert.Throws<CommandLineException>(() => Apply("--tlscert", "c"))!.Message, Is.EqualTo("TLS Server private key must be present and valid"));
        Assert.That(Apply("--tls=false", "--tlscert", "c").Flags.Tls, Is.False);
    }

    [Test]
    public void Cluster_flags()
    {
        var o = Apply("--cluster", "nats://ruser:rpass@127.0.0.1:6222", "--routes", "nats://127.0.0.1:6223, nats://127.0.0.1:6224",
            "--cluster_name", "east", "--no_advertise", "--cluster_advertise", "adv:6222", "--connect_retries", "3");
        Assert.Multiple(() =>
        {
            Assert.That((o.Cluster.Host, o.Cluster.Port), Is.EqualTo(("127.0.0.1", 6222)));
            Assert.That((o.Cluster.Username, o.Cluster.Password), Is.EqualTo(("ruser", "rpass")));
            Assert.That(o.Cluster.Routes.Select(r => r.Port), Is.EqualTo(new[] { 6223, 6224 }));
            Assert.That(o.Cluster.Name, Is.EqualTo("east"));
            Assert.That(o.Cluster.NoAdvertise, Is.True);
            Assert.That(o.Cluster.Advertise, Is.EqualTo("adv:6222"));
            Assert.That(o.Cluster.ConnectRetries, Is.EqualTo(3));
        });
    }

    [Test]
    public void Cluster_listen_takes_a_random_port_and_drops_config_credentials_without_new_ones()
    {
        var options = new ServerOptions();
        options.Cluster.Username = "from-file";
        options.Cluster.Password = "secret";
        ServerCommandLine.Parse(["--cluster_listen", "nats://0.0.0.0:-1"]).ApplyTo(options);
        Assert.That((options.Cluster.Host, options.Cluster.Port, options.Cluster.Username, options.Cluster.Password),
            Is.EqualTo(("0.0.0.0", -1, (string?)null, (string?)null)));
    }

    [Test]
    public void An_empty_cluster_flag_turns_clustering_off_and_empty_routes_clear_them()
    {
        var options = new ServerOptions();
        options.Cluster.Port = 6222;
        options.Cluster.Routes.Add(new Uri("nats://a:1"));
        ServerCommandLine.Parse(["--cluster=", "--routes="]).ApplyTo(options);
        Assert.That((options.Cluster.Port, options.Cluster.Routes.Count), Is.EqualTo((0, 0)));
    }

    [TestCase(new[] { "--routes", "nats://a:1" }, "solicited routes require cluster capabilities, e.g. --cluster")]
    [TestCase(new[] { "--cluster", "nats://u@h:1" }, "expected cluster password to be set")]
    [TestCase(new[] { "--cluster", "nats://h" }, "address h: missing port in address")]
    [TestCase(new[] { "--cluster", "nats://h:1", "--routes", "not a url" }, "error parsing route url [\"not a url\"]")]
    [TestCase(new[] { "-p", "99999999999" }, "invalid value \"99999999999\" for flag -p: value out of range")]
    public void Flags_that_cannot_be_applied_are_errors(string[] args, string message) =>
        Assert.That(Assert.Throws<CommandLineException>(() => Apply(args))!.Message, Is.EqualTo(message));

    [Test]
    public void Flags_override_what_the_config_file_set()
    {
        var fromFile = new ServerOptions { Port = 5000, Host = "10.0.0.1" };
        fromFile.Logging.Debug = true;
        ServerCommandLine.Parse(["-p", "5001", "-D=false"]).ApplyTo(fromFile);
        Assert.That((fromFile.Port, fromFile.Host, fromFile.Logging.Debug), Is.EqualTo((5001, "10.0.0.1", false)));
    }

    [Test]
    public void Control_flags_are_read_but_change_no_options()
    {
        var line = ServerCommandLine.Parse(["-c", "a.conf", "-t", "-sl", "reload=1", "-h", "-v", "--help_tls", "extra"]);
        Assert.Multiple(() =>
        {
            Assert.That(line.ConfigFile, Is.EqualTo("a.conf"));
            Assert.That(line.CheckConfig, Is.True);
            Assert.That(line.Signal, Is.EqualTo("reload=1"));
            Assert.That((line.ShowHelp, line.ShowVersion, line.ShowTlsHelp), Is.EqualTo((true, true, true)));
            Assert.That(line.Arguments, Is.EqualTo(new[] { "extra" }));
        });
        Assert.That(ServerCommandLine.Parse(["--config", "b.conf", "--signal", "stop"]).ConfigFile, Is.EqualTo("b.conf"));
    }

    [Test]
    public void Profile_and_remote_syslog_are_accepted_with_a_warning()
    {
        var line = ServerCommandLine.Parse(["--profile", "6060", "-r", "udp://x:514"]);
        Assert.That(line.Warnings, Has.Count.EqualTo(2));
        Assert.That(line.Warnings[0], Does.Contain("profiling is not supported"));
    }

    [Test]
    public void Every_flag_in_the_usage_text_is_understood()
    {
        foreach (var (_, _, names) in ServerFlags.All)
        {
            foreach (var name in names)
            {
                Assert.That(UsageText.Usage, Does.Contain("-" + name).Or.Contain("--" + name), name);
            }
        }
    }
}
