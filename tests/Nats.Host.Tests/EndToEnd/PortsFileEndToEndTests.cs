using System.Text.Json;
using Nats.Host.Signals;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The ports file as nats-server writes it: named after the name the process was started as
/// (<c>nats-server_&lt;pid&gt;.ports</c> for a server run as <c>nats-server</c> from PATH),
/// listing every listener (<c>nats</c>, <c>monitoring</c>, <c>cluster</c>, plugins'
/// <c>websocket</c>…), and removed at exit. Official clients' test suites find servers this way.
/// </summary>
[TestFixture]
public sealed class PortsFileEndToEndTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory();

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public async Task Started_as_nats_server_from_PATH_it_writes_nats_server_pid_ports_with_every_listener()
    {
        var (client, http, cluster, ws, leaf) = (FreePorts.Take(), FreePorts.Take(), FreePorts.Take(), FreePorts.Take(), FreePorts.Take());
        _dir.Write("s.conf", $$"""
            listen: 127.0.0.1:{{client}}
            http: 127.0.0.1:{{http}}
            cluster { name: pf, listen: 127.0.0.1:{{cluster}} }
            websocket { listen: "127.0.0.1:{{ws}}", no_tls: true }
            leafnodes { listen: "127.0.0.1:{{leaf}}" }
            """);
        using var host = HostProcess.StartFromPath("nats-server", _dir.Path, "-c", "s.conf", "--ports_file_dir", _dir.Path);
        var portsFile = _dir.File($"nats-server_{host.Id}.ports");
        var json = await ReadPortsFileAsync(host, portsFile);

        Assert.Multiple(() =>
        {
            Assert.That(Names(json).Take(3), Is.EqualTo(new[] { "nats", "monitoring", "cluster" }), "the kernel's in nats-server's order");
            Assert.That(Names(json).Skip(3), Is.EquivalentTo(new[] { "websocket", "leafnode" }), "then the plugins' listeners");
            Assert.That(Urls(json, "nats"), Is.EqualTo(new[] { $"nats://127.0.0.1:{client}" }));
            Assert.That(Urls(json, "monitoring"), Is.EqualTo(new[] { $"http://127.0.0.1:{http}" }));
            Assert.That(Urls(json, "cluster"), Is.EqualTo(new[] { $"nats://127.0.0.1:{cluster}" }));
            Assert.That(Urls(json, "websocket"), Is.EqualTo(new[] { $"ws://127.0.0.1:{ws}" }));
            Assert.That(Urls(json, "leafnode"), Is.EqualTo(new[] { $"nats://127.0.0.1:{leaf}" }));
        });
        host.Signal(UnixSignal.Interrupt);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
        Assert.That(File.Exists(portsFile), Is.False, "removed at exit");
    }

    [Test]
    public async Task The_file_is_named_after_whatever_name_the_process_was_started_as()
    {
        var client = FreePorts.Take();
        using var host = HostProcess.StartFromPath("gnatsd", _dir.Path, "-a", "127.0.0.1", "-p", $"{client}", "--ports_file_dir", _dir.Path);
        var json = await ReadPortsFileAsync(host, _dir.File($"gnatsd_{host.Id}.ports"));

        Assert.That(Urls(json, "nats"), Is.EqualTo(new[] { $"nats://127.0.0.1:{client}" }));
        Assert.That(Directory.GetFiles(_dir.Path, "*.ports"), Has.Length.EqualTo(1));
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Run_as_dotnet_dll_it_is_named_after_the_app_not_dotnet()
    {
        var client = FreePorts.Take();
        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", $"{client}", "--ports_file_dir", _dir.Path);
        var json = await ReadPortsFileAsync(host, _dir.File($"nats-server_{host.Id}.ports"));

        Assert.That(Names(json), Is.EqualTo(new[] { "nats" }), "no cluster, no monitoring: only nats");
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_listener_on_every_interface_lists_each_interface_address_as_nats_server_does()
    {
        var client = FreePorts.Take();
        using var host = HostProcess.Start(_dir.Path, "-p", $"{client}", "--ports_file_dir", _dir.Path);
        var json = await ReadPortsFileAsync(host, _dir.File($"nats-server_{host.Id}.ports"));

        // The listener is dual-stack, so loopback is reachable over IPv4 and IPv6 alike.
        Assert.That(Urls(json, "nats"), Does.Contain($"nats://127.0.0.1:{client}"));
        if (System.Net.Sockets.Socket.OSSupportsIPv6 && File.Exists("/proc/net/if_inet6") && File.ReadAllText("/proc/net/if_inet6").Contains("00000000000000000000000000000001"))
        {
            Assert.That(Urls(json, "nats"), Does.Contain($"nats://[::1]:{client}"));
        }
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    private static async Task<JsonElement> ReadPortsFileAsync(HostProcess host, string path)
    {
        // Written once every listener is up, just after "Server is ready" (as in nats-server).
        await Eventually.TrueAsync(() => host.HasExited || (File.Exists(path) && File.ReadAllText(path).EndsWith('}')),
            $"{Path.GetFileName(path)} written", HostProcess.DefaultWait);
        Assert.That(host.HasExited, Is.False, host.StandardError);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    private static string[] Names(JsonElement json) => [.. json.EnumerateObject().Select(p => p.Name)];

    private static string?[] Urls(JsonElement json, string name) => [.. json.GetProperty(name).EnumerateArray().Select(e => e.GetString())];
}
