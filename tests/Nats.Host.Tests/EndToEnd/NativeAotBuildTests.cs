using System.Net.Http;
using Nats.Host.Signals;
using Nats.Host.Tests.Plugins;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The native build (<c>build/publish.sh --aot</c>, issue 16): one executable with JetStream linked
/// in serves clients, the JetStream API and monitoring (/connz, /subsz), and refuses what it cannot
/// do (a plugin folder, a plugin it was built without).
/// </summary>
/// <remarks>
/// Opt-in: runs only with <c>NATS_TEST_AOT=1</c>. The native compile takes 5–10 minutes of a
/// 2-core machine (and needs the ILCompiler package from NuGet), too much for every CI run; run
/// it when the build, the kernel's reflection or the plugins' registration change.
/// </remarks>
[TestFixture]
[NonParallelizable]
[CancelAfter(1_800_000)]
public sealed class NativeAotBuildTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(25);
    private TempDirectory _dir = null!;
    private string _executable = null!;

    [OneTimeSetUp]
    public void PublishNative()
    {
        if (Environment.GetEnvironmentVariable("NATS_TEST_AOT") != "1")
        {
            Assert.Ignore("the native build takes minutes: set NATS_TEST_AOT=1 to run it");
        }
        _dir = new TempDirectory();
        var output = _dir.File("native");
        DotnetCommand.Run(Path.Combine(Repository.Root, "build", "publish.sh"),
            ["--aot", "--plugins", "JetStream", "--out", output], _dir.Path, BuildTimeout);
        _executable = Path.Combine(output, "nats-server");
        Assert.That(File.Exists(_executable), Is.True, "one native executable");
        Assert.That(Directory.Exists(Path.Combine(output, "plugins")), Is.False, "no plugin folders");
        Assert.That(Directory.GetFiles(output, "*.dll"), Is.Empty, "no managed assemblies beside it");
    }

    [OneTimeTearDown]
    public void Clean() => _dir?.Dispose();

    [Test]
    public async Task Native_server_serves_clients_JetStream_and_connz()
    {
        var port = FreePorts.Take();
        var http = FreePorts.Take();
        using var host = HostProcess.StartExecutable(_executable, _dir.Path,
            "-a", "127.0.0.1", "-p", $"{port}", "-m", $"{http}", "-js", "-sd", _dir.File("store"));
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain("Loaded plugin jetstream").And.Contain("linked in"));

        await using var client = await RawClient.ConnectAndFlushAsync(port, RawClient.UserConnect("any", "any"));
        await client.SendAsync("SUB greet 1\r\nPUB greet 5\r\nhello\r\n");
        await client.ExpectAsync("MSG greet 1 5\r\nhello\r\n");
        await client.SendAsync("SUB reply.1 2\r\nPUB $JS.API.INFO reply.1 0\r\n\r\n");
        await client.ExpectAsync("MSG reply.1 2");
        await client.ExpectAsync("io.nats.jetstream.api.v1.account_info_response");

        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        // /varz, /routez, /healthz, /jsz and /gatewayz answer 500 in the native build so far (their
        // reflection-based JSON meets a type it was not compiled for: docs/custom-builds.md).
        var connz = await web.GetStringAsync($"http://127.0.0.1:{http}/connz");
        Assert.That(connz, Does.Contain("\"server_id\"").And.Contain("\"num_connections\": 1"));
        var subsz = await web.GetStringAsync($"http://127.0.0.1:{http}/subsz");
        Assert.That(subsz, Does.Contain("\"num_subscriptions\""));

        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    [Test]
    public async Task Native_server_refuses_a_plugins_directory()
    {
        using var host = HostProcess.StartExecutable(_executable, _dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", _dir.Path);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("native build, which cannot load plugin folders"));
    }

    [Test]
    public async Task Native_server_refuses_a_plugin_it_was_built_without()
    {
        var conf = _dir.Write("mqtt.conf", $"listen: 127.0.0.1:{FreePorts.Take()}\nplugins {{ load: [jetstream, mqtt] }}\n");
        using var host = HostProcess.StartExecutable(_executable, _dir.Path, "-c", conf);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("mqtt").And.Contain("not linked into this native build"));
    }
}
