using Nats.Core;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>The host executable's one-shot commands: <c>-t</c>, <c>--version</c>, <c>--help</c>, bad flags.</summary>
[TestFixture]
public sealed class CommandLineEndToEndTests
{
    [OneTimeSetUp]
    public void LocateHost() => Assert.That(File.Exists(HostExecutable.Path));

    [Test]
    public async Task Check_of_a_valid_config_prints_its_digest_and_exits_0()
    {
        using var dir = new TempDirectory();
        var path = dir.Write("ok.conf", "port: 4222\nauthorization { users [ {user: a, password: b} ] }\n");
        using var host = await HostProcess.RunAsync(dir.Path, "-t", "-c", "ok.conf");
        var digest = ConfigDigest.Compute(ConfParser.ParseFile(path));
        Assert.Multiple(() =>
        {
            Assert.That(host.HasExited, Is.True);
            Assert.That(host.StandardError, Is.EqualTo($"nats-server: configuration file ok.conf is valid ({digest})\n"));
        });
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Check_of_an_invalid_config_prints_every_problem_and_exits_1()
    {
        using var dir = new TempDirectory();
        dir.Write("bad.conf", "max_payload: 3GB\nfoo: 1\nping_interval: 5\n");
        using var host = await HostProcess.RunAsync(dir.Path, "-t", "-c", "bad.conf");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Is.EqualTo(
            "nats-server: bad.conf:3:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration\n" +
            "bad.conf:1:1: max_payload value is too big\n" +
            "bad.conf:2:1: unknown field \"foo\"\n\n"));
    }

    [Test]
    public async Task Check_fails_on_warnings_like_nats_server()
    {
        using var dir = new TempDirectory();
        dir.Write("warn.conf", "write_deadline: 5\n");
        using var host = await HostProcess.RunAsync(dir.Path, "-t", "-c", "warn.conf");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.StartWith("nats-server: warn.conf:1:1: invalid use of field \"write_deadline\""));
    }

    [Test]
    public async Task Check_lists_options_it_ignores_but_passes()
    {
        using var dir = new TempDirectory();
        dir.Write("js.conf", "port: 4222\njetstream { store_dir: /tmp/x }\n");
        using var host = await HostProcess.RunBareAsync(dir.Path, "-t", "-c", "js.conf");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardError, Does.Contain("js.conf:2:1: field \"jetstream\" needs plugin jetstream, which is not loaded, and is ignored\n"));
        Assert.That(host.StandardError, Does.Contain("nats-server: configuration file js.conf is valid (sha256:"));
    }

    [Test]
    public async Task Check_of_a_syntax_error_names_the_position()
    {
        using var dir = new TempDirectory();
        dir.Write("syntax.conf", "port: 4222\nauthorization {\n  user: \"unterminated\n");
        using var host = await HostProcess.RunAsync(dir.Path, "-t", "-c", "syntax.conf");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Match(@"^nats-server: syntax\.conf:3:\d+: "));
    }

    [Test]
    public async Task Check_without_a_config_file_is_an_error()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "-t");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Is.EqualTo("nats-server: must specify [-c, --config] option to check configuration file syntax\n"));
    }

    [TestCase("--version")]
    [TestCase("-v")]
    [TestCase("version")]
    public async Task Version_prints_product_and_compatible_versions(string arg)
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, arg);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardOutput, Does.StartWith($"nats-server: v{ServerVersion.Product} "));
        Assert.That(host.StandardOutput, Does.Contain(ServerVersion.CompatibleNatsVersion));
    }

    [TestCase("--help")]
    [TestCase("-h")]
    [TestCase("help")]
    public async Task Help_prints_the_usage(string arg)
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, arg);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardOutput, Does.Contain("Usage: nats-server [options]"));
        Assert.That(host.StandardOutput, Does.Contain("--ports_file_dir <dir>"));
    }

    [Test]
    public async Task Help_tls_prints_the_tls_block()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "--help_tls");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardOutput, Does.Contain("cert_file:"));
    }

    [Test]
    public async Task An_unknown_flag_prints_the_error_and_usage_and_exits_2()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "--bogus");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(2));
        Assert.That(host.StandardError, Is.EqualTo("flag provided but not defined: -bogus\n"));
        Assert.That(host.StandardOutput, Does.Contain("Usage: nats-server [options]"));
    }

    [Test]
    public async Task A_bad_flag_value_exits_2()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "-p", "abc");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(2));
        Assert.That(host.StandardError, Is.EqualTo("invalid value \"abc\" for flag -p: parse error\n"));
    }

    [Test]
    public async Task An_unknown_command_exits_1()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "foo");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Is.EqualTo("nats-server: unrecognized command: \"foo\"\n"));
    }

    [Test]
    public async Task A_signal_to_a_missing_pid_exits_1()
    {
        using var dir = new TempDirectory();
        using var host = await HostProcess.RunAsync(dir.Path, "--signal", "reload=99999999");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Is.EqualTo("nats-server: signal \"reload\" 99999999: no such process\n"));
    }
}
