using Nats.Core.Config;
using Nats.Core.Config.Binding;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Config.Binding;

/// <summary>Top-level options: names, aliases, sizes, durations, nats-server's checks and wording.</summary>
[TestFixture]
public sealed class ServerOptionsBinderTests
{
    [Test]
    public void Options_not_in_the_file_keep_nats_server_defaults()
    {
        var o = Options("server_name: a");
        var defaults = new ServerOptions();
        Assert.Multiple(() =>
        {
            Assert.That(o.Host, Is.EqualTo("0.0.0.0"));
            Assert.That(o.Port, Is.EqualTo(4222));
            Assert.That(o.MaxPayload, Is.EqualTo(1024 * 1024));
            Assert.That(o.MaxPending, Is.EqualTo(defaults.MaxPending));
            Assert.That(o.PingInterval, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(o.Logging.LogTime, Is.True);
            Assert.That(o.Auth.IsAuthRequired, Is.False);
            Assert.That(o.Sections, Is.Empty);
        });
    }

    [Test]
    public void Simple_options_and_their_aliases_are_bound()
    {
        var o = Options("""
            net: 127.0.0.1
            port: 4333
            server_name: srv-1
            client_advertise: "nats.example.com:4222"
            max_conn: 100
            max_payload: 2MB
            max_control_line: 8KB
            max_pending: 100MB
            max_subs: 50
            max_subscription_tokens: 12
            ping_interval: "30s"
            ping_max: 5
            write_deadline: "3s"
            no_header_support: true
            no_sublist_cache: true
            lame_duck_duration: "45s"
            lame_duck_grace_period: "5s"
            monitor_port: 8333
            http_base_path: /nats
            debug: true
            trace: true
            logtime: false
            logtime_utc: true
            logfile: /tmp/x.log
            log_size_limit: 1GB
            syslog: true
            pidfile: /tmp/x.pid
            ports_file_dir: /tmp
            """);
        Assert.Multiple(() =>
        {
            Assert.That(o.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(o.Port, Is.EqualTo(4333));
            Assert.That(o.ServerName, Is.EqualTo("srv-1"));
            Assert.That(o.ClientAdvertise, Is.EqualTo("nats.example.com:4222"));
            Assert.That(o.MaxConnections, Is.EqualTo(100));
            Assert.That(o.MaxPayload, Is.EqualTo(2 * 1024 * 1024));
            Assert.That(o.MaxControlLine, Is.EqualTo(8 * 1024));
            Assert.That(o.MaxPending, Is.EqualTo(100L * 1024 * 1024));
            Assert.That(o.MaxSubscriptions, Is.EqualTo(50));
            Assert.That(o.MaxSubscriptionTokens, Is.EqualTo(12));
            Assert.That(o.PingInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(o.MaxPingsOut, Is.EqualTo(5));
            Assert.That(o.WriteDeadline, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(o.NoHeaderSupport, Is.True);
            Assert.That(o.DisableSublistCache, Is.True);
            Assert.That(o.LameDuckDuration, Is.EqualTo(TimeSpan.FromSeconds(45)));
            Assert.That(o.LameDuckGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(o.Monitoring.Port, Is.EqualTo(8333));
            Assert.That(o.Monitoring.BasePath, Is.EqualTo("/nats"));
            Assert.That(o.Logging.Debug, Is.True);
            Assert.That(o.Logging.Trace, Is.True);
            Assert.That(o.Logging.LogTime, Is.False);
            Assert.That(o.Logging.LogTimeUtc, Is.True);
            Assert.That(o.Logging.LogFile, Is.EqualTo("/tmp/x.log"));
            Assert.That(o.Logging.LogSizeLimit, Is.EqualTo(1L << 30));
            Assert.That(o.Logging.Syslog, Is.True);
            Assert.That(o.PidFile, Is.EqualTo("/tmp/x.pid"));
            Assert.That(o.PortsFileDir, Is.EqualTo("/tmp"));
        });
    }

    [TestCase("host: 10.0.0.1", "10.0.0.1")]
    [TestCase("net: 10.0.0.2", "10.0.0.2")]
    public void Host_and_net_are_the_same_option(string line, string host) =>
        Assert.That(Options(line).Host, Is.EqualTo(host));

    [TestCase("max_connections: 10", 10)]
    [TestCase("max_conn: 11", 11)]
    [TestCase("max_connections: 0", -1)]
    public void Max_connections_zero_means_accept_none_as_in_nats_server(string line, int expected) =>
        Assert.That(Options(line).MaxConnections, Is.EqualTo(expected));

    [TestCase("http_port: 8222")]
    [TestCase("monitor_port: 8222")]
    public void Monitoring_port_aliases(string line) => Assert.That(Options(line).Monitoring.Port, Is.EqualTo(8222));

    [TestCase("logfile: a.log")]
    [TestCase("log_file: a.log")]
    public void Log_file_aliases(string line) => Assert.That(Options(line).Logging.LogFile, Is.EqualTo("a.log"));

    [TestCase("pid_file: a.pid")]
    [TestCase("pidfile: a.pid")]
    public void Pid_file_aliases(string line) => Assert.That(Options(line).PidFile, Is.EqualTo("a.pid"));

    [TestCase("trace_verbose: true")]
    [TestCase("trace_headers: true")]
    public void Verbose_trace_variants_turn_trace_on(string line) => Assert.That(Options(line).Logging.Trace, Is.True);

    [Test]
    public void Option_names_ignore_case() => Assert.That(Options("PORT: 4999\nMax_Payload: 2KB").Port, Is.EqualTo(4999));

    [Test]
    public void Listen_sets_host_and_port()
    {
        var o = Options("listen: 127.0.0.1:4555");
        Assert.That((o.Host, o.Port), Is.EqualTo(("127.0.0.1", 4555)));
    }

    [Test]
    public void Listen_takes_bracketed_ipv6_and_a_bare_port()
    {
        Assert.That(Options("listen: \"[::1]:4556\"").Host, Is.EqualTo("::1"));
        var portOnly = Options("listen: 4557");
        Assert.That((portOnly.Host, portOnly.Port), Is.EqualTo(("0.0.0.0", 4557)));
        Assert.That(Options("listen: \":4558\"").Host, Is.EqualTo("0.0.0.0"));
    }

    [TestCase("listen: abc", "test.conf:1:1: could not parse address string \"abc\"")]
    [TestCase("listen: \"127.0.0.1:xx\"", "test.conf:1:1: could not parse port \"xx\"")]
    [TestCase("listen: \"::1:4222\"", "test.conf:1:1: could not parse address string \"::1:4222\"")]
    [TestCase("listen: true", "test.conf:1:1: expected port or host:port, got bool")]
    public void Bad_listen_values_are_reported_like_nats_server(string line, string message) =>
        Assert.That(Errors(line), Is.EqualTo(new[] { message }));

    [Test]
    public void Http_takes_host_and_port_or_a_port()
    {
        var both = Options("http: \"127.0.0.1:8444\"");
        Assert.That((both.Monitoring.Host, both.Monitoring.Port), Is.EqualTo(("127.0.0.1", 8444)));
        var port = Options("http: 8445");
        Assert.That((port.Monitoring.Host, port.Monitoring.Port), Is.EqualTo(((string?)null, 8445)));
    }

    [TestCase("port: 0", 4222)]
    [TestCase("port: -1", -1)]
    public void Port_zero_is_the_default_and_minus_one_is_random(string line, int port) =>
        Assert.That(Options(line).Port, Is.EqualTo(port));

    [Test]
    public void Zero_limits_mean_the_defaults()
    {
        var o = Options("max_payload: 0\nmax_control_line: 0\nmax_pending: 0\nping_max: 0\nping_interval: \"0s\"\nwrite_deadline: \"0s\"");
        var d = new ServerOptions();
        Assert.That(
            (o.MaxPayload, o.MaxControlLine, o.MaxPending, o.MaxPingsOut, o.PingInterval, o.WriteDeadline),
            Is.EqualTo((d.MaxPayload, d.MaxControlLine, d.MaxPending, d.MaxPingsOut, d.PingInterval, d.WriteDeadline)));
    }

    [Test]
    public void Size_suffixes_follow_the_conf_format()
    {
        Assert.That(Options("max_payload: 1MB").MaxPayload, Is.EqualTo(1_048_576));
        Assert.That(Options("max_payload: 1M").MaxPayload, Is.EqualTo(1_000_000));
        Assert.That(Options("max_pending: 2GiB").MaxPending, Is.EqualTo(2L << 30));
    }

    [TestCase("max_payload: 3GB", "test.conf:1:1: max_payload value is too big")]
    [TestCase("max_control_line: 3GB", "test.conf:1:1: max_control_line value is too big")]
    [TestCase("max_payload: -1", "test.conf:1:1: max_payload value can not be negative")]
    [TestCase("max_subscription_tokens: 300", "test.conf:1:1: max_subscription_tokens value is too big")]
    [TestCase("max_sub_tokens: 0", "test.conf:1:1: max_sub_tokens value can not be negative")]
    [TestCase("server_name: \"a b\"", "test.conf:1:1: server name cannot contain spaces")]
    public void Out_of_range_values_are_rejected_with_nats_server_wording(string line, string message) =>
        Assert.That(Errors(line), Is.EqualTo(new[] { message }));

    [TestCase("port: \"abc\"", "test.conf:1:1: port: expected an integer, got string \"abc\"")]
    [TestCase("debug: 1", "test.conf:1:1: debug: expected a boolean, got integer 1")]
    [TestCase("server_name: [a]", "test.conf:1:1: server_name: expected a string, got array of 1 item(s)")]
    [TestCase("ping_interval: true", "test.conf:1:1: ping_interval: expected a duration, got boolean true")]
    public void A_value_of_the_wrong_type_names_the_option(string line, string message) =>
        Assert.That(Errors(line), Is.EqualTo(new[] { message }));

    [Test]
    public void Errors_point_at_the_key_of_the_option()
    {
        var error = BindError("port: 1\n\n   max_payload:   3GB\n");
        Assert.Multiple(() =>
        {
            Assert.That(error.Position, Is.EqualTo(new ConfPosition(FileName, 3, 4)));
            Assert.That(error.Line, Is.EqualTo(3));
            Assert.That(error.Reason, Is.EqualTo("max_payload value is too big"));
        });
    }

    [Test]
    public void Every_error_is_reported_and_warnings_come_first_in_the_message()
    {
        var error = BindError("max_payload: 3GB\nping_interval: 5\nport: x\n");
        Assert.Multiple(() =>
        {
            Assert.That(error.Errors.Select(e => e.Message), Is.EqualTo(new[]
            {
                "test.conf:1:1: max_payload value is too big",
                "test.conf:3:1: port: expected an integer, got string \"x\"",
            }));
            Assert.That(error.Message, Is.EqualTo(
                "test.conf:2:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration\n" +
                "test.conf:1:1: max_payload value is too big\n" +
                "test.conf:3:1: port: expected an integer, got string \"x\""));
            Assert.That(error, Is.InstanceOf<ConfigException>());
        });
    }

    [Test]
    public void Go_duration_strings_are_durations()
    {
        Assert.That(Options("ping_interval: \"1h30m\"").PingInterval, Is.EqualTo(TimeSpan.FromMinutes(90)));
        Assert.That(Options("write_deadline: \"250ms\"").WriteDeadline, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
        Assert.That(Warnings("ping_interval: \"1h30m\""), Is.Empty);
    }

    [Test]
    public void A_bare_integer_duration_is_seconds_with_nats_server_warning()
    {
        var result = Bind("ping_interval: 5");
        Assert.That(result.Options.PingInterval, Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(result.Warnings.Select(w => w.Message), Is.EqualTo(new[]
        {
            "test.conf:1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration",
        }));
    }

    [Test]
    public void An_unquoted_duration_with_a_size_suffix_warns_what_it_really_means()
    {
        var result = Bind("ping_interval: 2m");
        Assert.That(result.Options.PingInterval, Is.EqualTo(TimeSpan.FromSeconds(2_000_000)));
        var warning = result.Warnings.Single();
        Assert.Multiple(() =>
        {
            Assert.That(warning.Field, Is.EqualTo("ping_interval"));
            Assert.That(warning.Message, Does.StartWith("test.conf:1:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"));
            Assert.That(warning.Message, Does.Contain("unquoted 2m is the number 2000000"));
            Assert.That(warning.Message, Does.Contain("\"2m\""));
        });
    }

    [TestCase("ping_interval: \"abc\"", "test.conf:1:1: error parsing ping_interval: time: invalid duration \"abc\"")]
    [TestCase("write_deadline: \"5\"", "test.conf:1:1: error parsing write_deadline: time: missing unit in duration \"5\"")]
    [TestCase("lame_duck_duration: \"5s\"", "test.conf:1:1: invalid lame_duck_duration of 5s, minimum is 30 seconds")]
    [TestCase("lame_duck_duration: \"29.5s\"", "test.conf:1:1: invalid lame_duck_duration of 29.5s, minimum is 30 seconds")]
    [TestCase("lame_duck_grace_period: \"-1s\"", "test.conf:1:1: invalid lame_duck_grace_period, needs to be positive")]
    public void Bad_durations_are_reported_like_nats_server(string line, string message) =>
        Assert.That(Errors(line), Is.EqualTo(new[] { message }));

    [Test]
    public void System_account_options()
    {
        Assert.That(Options("system_account: SYS").Auth.SystemAccount, Is.EqualTo("SYS"));
        Assert.That(Options("system: SYS2").Auth.SystemAccount, Is.EqualTo("SYS2"));
        Assert.That(Options("system: B\nsystem_account: A").Auth.SystemAccount, Is.EqualTo("A"));
        Assert.That(Options("system_account: A\nsystem: B").Auth.SystemAccount, Is.EqualTo("A"));
        Assert.That(Options("").Auth.SystemAccount, Is.EqualTo("$SYS"));
        Assert.That(Options("no_sys_acc: true").Auth.NoSystemAccount, Is.True);
        Assert.That(Options("no_system_account: true").Auth.NoSystemAccount, Is.True);
    }

    [Test]
    public void An_empty_config_warns_like_nats_server()
    {
        var result = ServerOptionsBinder.Bind(ConfParser.ParseString("# nothing\n", "empty.conf"), "empty.conf");
        Assert.That(result.Warnings.Select(w => w.Message), Is.EqualTo(new[] { "empty.conf: config has no values or is empty" }));
    }

    [Test]
    public void Keys_the_kernel_does_not_own_go_to_sections_for_plugins()
    {
        var result = Bind("port: 4222\njetstream { store_dir: /data }\nmyplugin: 5\ntls { cert_file: a }");
        Assert.Multiple(() =>
        {
            Assert.That(result.Unclaimed.Select(e => e.Key), Is.EqualTo(new[] { "jetstream", "myplugin", "tls" }));
            Assert.That(result.Options.Sections.Keys, Is.EquivalentTo(new[] { "jetstream", "myplugin", "tls" }));
            Assert.That(((ConfMap)result.Options.Sections["JetStream"]!)["store_dir"].AsString(), Is.EqualTo("/data"));
            Assert.That(((ConfValue)result.Options.Sections["myplugin"]!).AsLong(), Is.EqualTo(5));
            Assert.That(result.Options.Sections.ContainsKey("port"), Is.False);
        });
    }

    [Test]
    public void Unclaimed_keys_are_described_as_unknown_or_not_supported()
    {
        var result = Bind("jetstream {}\nfoo: 1");
        var jetstream = ServerOptionsBinder.DescribeUnclaimed(result.Unclaimed[0]);
        var foo = ServerOptionsBinder.DescribeUnclaimed(result.Unclaimed[1]);
        Assert.Multiple(() =>
        {
            Assert.That(jetstream.Message, Is.EqualTo("test.conf:1:1: field \"jetstream\" is not supported by this server and is ignored"));
            Assert.That(foo.Message, Is.EqualTo("test.conf:2:1: unknown field \"foo\""));
            Assert.That(ServerOptionsBinder.IsNatsServerOption("gateway"), Is.True);
            Assert.That(ServerOptionsBinder.IsNatsServerOption("LEAFNODES"), Is.True);
            Assert.That(ServerOptionsBinder.IsNatsServerOption("http_host"), Is.False);
        });
    }

    [Test]
    public void Keys_defined_only_as_variables_are_neither_options_nor_sections()
    {
        var result = Bind("monitoring_port = 8222\nhttp_port = $monitoring_port");
        Assert.Multiple(() =>
        {
            Assert.That(result.Options.Monitoring.Port, Is.EqualTo(8222));
            Assert.That(result.Unclaimed, Is.Empty);
            Assert.That(result.Options.Sections, Is.Empty);
        });
    }

    [Test]
    public void BindFile_records_the_file_and_its_digest()
    {
        using var dir = new TempDir();
        var file = dir.Write("server.conf", "port: 4777\n# comment\n");
        var result = ServerOptionsBinder.BindFile(file);
        Assert.Multiple(() =>
        {
            Assert.That(result.Options.ConfigFile, Is.EqualTo(file));
            Assert.That(result.Options.ConfigDigest, Is.EqualTo(ConfigDigest.Compute(ConfParser.ParseFile(file))));
            Assert.That(result.Options.ConfigDigest, Does.StartWith("sha256:"));
            Assert.That(result.Config["port"].AsLong(), Is.EqualTo(4777));
        });
    }

    [Test]
    public void Binding_a_string_has_no_file_and_no_digest()
    {
        var o = Options("port: 4778");
        Assert.That((o.ConfigFile, o.ConfigDigest), Is.EqualTo(((string?)null, (string?)null)));
    }

    [Test]
    public void A_missing_file_is_a_config_exception_naming_it()
    {
        var error = Assert.Throws<ConfigException>(() => ServerOptionsBinder.BindFile("/nonexistent/x.conf"))!;
        Assert.That(error.Message, Does.StartWith("/nonexistent/x.conf: cannot read config file"));
    }

    [Test]
    public void Each_bind_builds_fresh_options()
    {
        var first = Options("authorization { user: a, password: b }");
        var second = Options("port: 1234");
        Assert.Multiple(() =>
        {
            Assert.That(second.Auth.Username, Is.Null);
            Assert.That(first.Auth, Is.Not.SameAs(second.Auth));
        });
    }
}
