using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Nats.Host.Signals;

using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The host executable as a running server: config with users, pid and ports files, signals
/// (sent directly and with <c>--signal</c>), reload, start-up failures. Everything on 127.0.0.1
/// with free ports.
/// </summary>
[TestFixture]
public sealed class ServerProcessEndToEndTests
{
    private TempDirectory _dir = null!;
    private int _port;

    [OneTimeSetUp]
    public void LocateHost() => Assert.That(File.Exists(HostExecutable.Path));

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _port = FreePorts.Take();
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string UsersConfig(string password) =>
        $"listen: 127.0.0.1:{_port}\nauthorization {{\n  users [ {{user: alice, password: \"{password}\"}} ]\n}}\n";

    private Task<HostProcess> StartAsync(params string[] args) => StartAsync(HostProcess.Start(_dir.Path, args));

    /// <summary>The host without the plugins it ships: what the kernel says of what it does not run.</summary>
    private Task<HostProcess> StartBareAsync(params string[] args) => StartAsync(HostProcess.StartBare(_dir.Path, args));

    private static async Task<HostProcess> StartAsync(HostProcess host)
    {
        await host.WaitForLogAsync("Server is ready");
        return host;
    }

    [Test]
    public async Task Users_from_the_config_file_authenticate()
    {
        _dir.Write("users.conf", UsersConfig("s3cret"));
        using var host = await StartAsync("-c", "users.conf");
        Assert.Multiple(async () =>
        {
            Assert.That(await RawClient.TryLoginAsync(_port, "alice", "s3cret"), Is.EqualTo("PONG"));
            Assert.That(await RawClient.TryLoginAsync(_port, "alice", "wrong"), Is.EqualTo("-ERR 'Authorization Violation'"));
            Assert.That(await RawClient.TryLoginAsync(_port, null, null), Is.EqualTo("-ERR 'Authorization Violation'"));
        });
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Command_line_flags_override_the_config_file()
    {
        var other = FreePorts.Take();
        _dir.Write("port.conf", $"listen: 127.0.0.1:{_port}\n");
        using var host = await StartAsync("-c", "port.conf", "-p", other.ToString());
        Assert.That(host.StandardError, Does.Contain($"Listening for client connections on 127.0.0.1:{other}"));
        Assert.That(await RawClient.TryLoginAsync(other, null, null), Is.EqualTo("PONG"));
    }

    [Test]
    public async Task Pid_file_is_written_and_removed_on_sigterm()
    {
        var pidFile = _dir.File("server.pid");
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString(), "-P", pidFile);
        Assert.That(File.ReadAllText(pidFile), Is.EqualTo(host.Id.ToString()));
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.Multiple(() =>
        {
            Assert.That(host.StandardError, Does.Contain("Trapped \"terminated\" signal"));
            Assert.That(host.StandardError, Does.Contain("Server Exiting.."));
            Assert.That(File.Exists(pidFile), Is.False);
        });
    }

    [Test]
    public async Task Sigint_shuts_down_cleanly()
    {
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString());
        host.Signal(UnixSignal.Interrupt);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardError, Does.Contain("Trapped \"interrupt\" signal"));
    }

    [TestCase("INT", UnixSignal.Interrupt, "interrupt")]
    [TestCase("TERM", UnixSignal.Terminate, "terminated")]
    [TestCase("QUIT", UnixSignal.Quit, "quit")]
    public async Task A_signal_inherited_as_ignored_still_stops_the_server(string shellName, int signal, string trapped)
    {
        // A shell's background job starts with SIGINT/SIGQUIT ignored; nats-server still stops on them.
        using var host = HostProcess.StartWithIgnoredSignals("INT QUIT TERM HUP USR1 USR2", _dir.Path, "-a", "127.0.0.1", "-p", _port.ToString());
        await host.WaitForLogAsync("Server is ready");
        host.Signal(signal);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0), shellName);
        Assert.That(host.StandardError, Does.Contain($"Trapped \"{trapped}\" signal"));
    }

    [Test]
    public async Task Ports_file_lists_the_urls_and_is_removed_at_exit()
    {
        var http = FreePorts.Take();
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString(), "-m", http.ToString(), "--ports_file_dir", _dir.Path);
        var portsFile = _dir.File($"nats-server_{host.Id}.ports");
        // Written once the listeners are up, just after "Server is ready" (as in nats-server).
        await WaitForFileAsync(portsFile, "}");
        using (var json = JsonDocument.Parse(File.ReadAllText(portsFile)))
        {
            Assert.That(json.RootElement.GetProperty("nats").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { $"nats://127.0.0.1:{_port}" }));
            Assert.That(json.RootElement.GetProperty("monitoring").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { $"http://127.0.0.1:{http}" }));
        }
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(File.Exists(portsFile), Is.False);
    }

    [Test]
    public async Task Ports_file_without_a_monitoring_port_lists_no_monitoring_urls()
    {
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString(), "--ports_file_dir", _dir.Path);
        var portsFile = _dir.File($"nats-server_{host.Id}.ports");
        await WaitForFileAsync(portsFile, "}");
        using (var json = JsonDocument.Parse(File.ReadAllText(portsFile)))
        {
            Assert.That(json.RootElement.GetProperty("nats").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { $"nats://127.0.0.1:{_port}" }));
            // nats-server leaves "monitoring" out when there is no monitoring listener.
            Assert.That(json.RootElement.TryGetProperty("monitoring", out _), Is.False, File.ReadAllText(portsFile));
        }
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Signal_stop_with_a_pid_file_kills_the_server()
    {
        var pidFile = _dir.File("server.pid");
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString(), "-P", pidFile);
        using var signaller = await HostProcess.RunAsync(_dir.Path, "--signal", $"stop={pidFile}");
        Assert.That(await signaller.WaitForExitAsync(), Is.EqualTo(0), signaller.StandardError);
        // "stop" is SIGKILL in nats-server: no clean-up, exit status 128 + 9.
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(137));
    }

    [Test]
    public async Task Signal_quit_with_a_pid_stops_the_server_cleanly()
    {
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString());
        using var signaller = await HostProcess.RunAsync(_dir.Path, "-sl", $"quit={host.Id}");
        Assert.That(await signaller.WaitForExitAsync(), Is.EqualTo(0), signaller.StandardError);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardError, Does.Contain("Server Exiting.."));
    }

    [Test]
    public async Task Sigquit_stops_at_once_and_cleans_up_the_pid_file()
    {
        var pidFile = _dir.File("server.pid");
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString(), "-P", pidFile);
        host.Signal(UnixSignal.Quit);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardError, Does.Contain("Trapped \"quit\" signal"));
        Assert.That(File.Exists(pidFile), Is.False);
    }

    [Test]
    public async Task Sigusr2_enters_lame_duck_mode_which_ends_in_a_shutdown()
    {
        using var host = await StartAsync("-a", "127.0.0.1", "-p", _port.ToString());
        host.Signal(UnixSignal.User2);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(host.StandardError, Does.Contain("Entering lame duck mode"));
    }

    [Test]
    public async Task Sigusr1_reopens_the_log_file_after_rotation()
    {
        var log = _dir.File("server.log");
        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", _port.ToString(), "-l", log);
        await WaitForFileAsync(log, "Server is ready");
        File.Move(log, log + ".1");
        host.Signal(UnixSignal.User1);
        await WaitForFileAsync(log + ".1", "Trapped \"user defined signal 1\" signal");
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(File.ReadAllText(log), Does.Contain("Server Exiting.."));
        Assert.That(File.ReadAllText(log + ".1"), Does.Not.Contain("Server Exiting.."));
    }

    [Test]
    public async Task Sighup_rereads_the_config_and_a_broken_one_changes_nothing()
    {
        var config = _dir.Write("reload.conf", UsersConfig("first"));
        using var host = await StartAsync("-c", "reload.conf");

        File.WriteAllText(config, UsersConfig("second") + "max_payload: 3GB\n");
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Failed to reload server configuration: reload.conf:5:1: max_payload value is too big");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("PONG"));

        File.WriteAllText(config, UsersConfig("second"));
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration");
        Assert.That(host.StandardError, Does.Contain("Trapped \"hangup\" signal"));
    }

    [Test]
    public async Task Sighup_applies_logging_changes()
    {
        // A refused client is logged at debug level when its connection closes.
        var config = _dir.Write("log.conf", UsersConfig("pw"));
        using var host = await StartAsync("-c", "log.conf");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "bad"), Is.EqualTo("-ERR 'Authorization Violation'"));
        await host.WaitForLogAsync("authentication error");
        await Task.Delay(200);
        Assert.That(host.StandardError, Does.Not.Contain("[DBG]"));

        File.WriteAllText(config, UsersConfig("pw") + "debug: true\n");
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "bad"), Is.EqualTo("-ERR 'Authorization Violation'"));
        await host.WaitForLogAsync("[DBG]");
    }

    [Test]
    public async Task Sighup_applies_a_changed_user_password()
    {
        var config = _dir.Write("reload.conf", UsersConfig("first"));
        using var host = await StartAsync("-c", "reload.conf");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("PONG"));

        File.WriteAllText(config, UsersConfig("second"));
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration");
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "second"), Is.EqualTo("PONG"));
        Assert.That(await RawClient.TryLoginAsync(_port, "alice", "first"), Is.EqualTo("-ERR 'Authorization Violation'"));
    }

    [Test]
    public async Task A_port_in_use_fails_the_start_with_exit_1()
    {
        using var busy = new TcpListener(IPAddress.Loopback, _port);
        busy.Start();
        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", _port.ToString());
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain($"nats-server: could not listen for client connections on 127.0.0.1:{_port}"));
    }

    [Test]
    public async Task A_monitoring_port_in_use_fails_the_start_with_exit_1()
    {
        var http = FreePorts.Take();
        using var busy = new TcpListener(IPAddress.Loopback, http);
        busy.Start();
        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", _port.ToString(), "-m", http.ToString());
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain($"nats-server: Failed to bind to address http://127.0.0.1:{http}"));
    }

    [Test]
    public async Task A_config_error_fails_the_start_with_exit_1()
    {
        _dir.Write("bad.conf", $"listen: 127.0.0.1:{_port}\nmax_payload: -5\n");
        using var host = HostProcess.Start(_dir.Path, "-c", "bad.conf");
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Is.EqualTo("nats-server: bad.conf:2:1: max_payload value can not be negative\n\n"));
    }

    [Test]
    public async Task Config_warnings_and_ignored_sections_are_logged_at_start()
    {
        _dir.Write("warn.conf", $"listen: 127.0.0.1:{_port}\nping_interval: 60\nleafnodes {{ port: 7422 }}\n");
        using var host = await StartBareAsync("-c", "warn.conf");
        Assert.That(host.StandardError, Does.Contain("[WRN] warn.conf:2:1: invalid use of field \"ping_interval\": ping_interval should be converted to a duration"));
        Assert.That(host.StandardError, Does.Contain("[WRN] warn.conf:3:1: field \"leafnodes\" needs plugin leafnodes, which is not loaded, and is ignored"));
    }

    [Test]
    public async Task Jetstream_flags_without_a_jetstream_plugin_are_reported()
    {
        using var host = await StartBareAsync("-a", "127.0.0.1", "-p", _port.ToString(), "-js", "-sd", _dir.Path);
        Assert.That(host.StandardError, Does.Contain("[WRN] JetStream was requested on the command line, but no JetStream plugin is loaded"));
    }

    private static Task WaitForFileAsync(string path, string text) =>
        Eventually.TrueAsync(() => File.Exists(path) && ReadShared(path).Contains(text, StringComparison.Ordinal), $"{path} to get \"{text}\"", HostProcess.DefaultWait);

    // The server keeps the file open for writing; open it shared.
    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        return new StreamReader(stream).ReadToEnd();
    }
}
