using System.Text.Json;
using NATS.Client.Core;
using Nats.Host.Signals;
using Nats.Host.Tests.EndToEnd;
using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// The seams test plugin (tests/PluginAssets/SeamsPlugin: public API only, no InternalsVisibleTo)
/// in the stock host, driven with NATS.Net (issue 7): clients over the plugin's own
/// stream-based listener, placed in an account it registered at runtime; messages it injects
/// with its link as origin; its client INFO field; the server events it follows.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(90_000)]
public sealed class SeamsPluginEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [OneTimeSetUp]
    public void BuildPlugins() => PluginAssets.OutputOf("SeamsPlugin");

    [Test]
    public async Task A_plugin_serves_clients_over_its_stream_in_a_runtime_account_and_injects_with_an_origin()
    {
        using var dir = new TempDirectory();
        PluginAssets.Install(dir.File("plugins"), "SeamsPlugin");
        var (port, seamsPort, http) = (FreePorts.Take(), FreePorts.Take(), FreePorts.Take());
        var conf = dir.Write("seams.conf", $"host: 127.0.0.1\nport: {port}\nhttp: {http}\n" +
            $"seams {{ port: {seamsPort}, account: RUNTIME, user: u, password: p }}\n");
        using var host = HostProcess.Start(dir.Path, "-c", conf, "--plugins_dir", "plugins");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain($"seams: listening on port {seamsPort}, clients in account RUNTIME"));

        // The INFO field the plugin contributes, on the kernel's own client port.
        await using (var raw = await RawClient.ConnectAsync(port))
        {
            var info = JsonDocument.Parse(raw.InfoLine!["INFO ".Length..]).RootElement;
            Assert.That(info.GetProperty("seams_port").GetInt32(), Is.EqualTo(seamsPort));
        }

        // Real clients on the plugin's listener, authenticated by its own authorization.
        await using var a = await ConnectAsync(seamsPort, "u", "p");
        await using var b = await ConnectAsync(seamsPort, "u", "p");
        await using var global = await ConnectAsync(port, null, null);
        Assert.That(async () => await ConnectAsync(seamsPort, "u", "wrong"), Throws.Exception, "the listener's own users only");

        // a and b share the runtime account; the global account's client sees nothing of it.
        await using var inB = await b.SubscribeCoreAsync<string>("hello");
        await using var inGlobal = await global.SubscribeCoreAsync<string>("hello");
        await b.PingAsync();
        await global.PingAsync();
        await a.PublishAsync("hello", "from a");
        Assert.That((await inB.Msgs.ReadAsync().AsTask().WaitAsync(Wait)).Data, Is.EqualTo("from a"));
        await global.PublishAsync("hello", "from global");
        Assert.That((await inGlobal.Msgs.ReadAsync().AsTask().WaitAsync(Wait)).Data, Is.EqualTo("from global"));
        await b.PingAsync();
        Assert.That(inB.Msgs.TryRead(out _), Is.False, "accounts are apart");

        // /connz lists them in that account, with the plugin's kind.
        using var web = new HttpClient { Timeout = Wait };
        var connz = JsonDocument.Parse(await web.GetStringAsync($"http://127.0.0.1:{http}/connz?acc=RUNTIME")).RootElement;
        Assert.That(connz.GetProperty("num_connections").GetInt32(), Is.EqualTo(2));

        // Injected with the link as origin: local subscribers get it, the link does not get it back.
        await using var linkIn = await b.SubscribeCoreAsync<string>("link.>");
        await b.PingAsync();
        var injected = await Json(a, "seams.inject", "link.in");
        Assert.That(injected.GetProperty("delivered").GetBoolean(), Is.True);
        Assert.That(injected.GetProperty("forwarded").GetInt64(), Is.Zero, "never back to its origin link");
        var message = await linkIn.Msgs.ReadAsync().AsTask().WaitAsync(Wait);
        Assert.That((message.Subject, message.Data), Is.EqualTo(("link.in", "injected")));

        // A client's message on the link's interest is forwarded to the link.
        await a.PublishAsync("link.out", "to the link");
        await a.PingAsync();
        await Eventually.TrueAsync(async () => (await Json(a, "seams.stats", "")).GetProperty("forwarded").GetInt64() == 1, "forwarded to the link", Wait);
        // The heartbeat ticks on its own period: wait for one rather than assume it came already.
        await Eventually.TrueAsync(async () => (await Json(a, "seams.stats", "")).GetProperty("heartbeats").GetInt64() > 0, "a heartbeat tick reached the plugin", Wait);
        var stats = await Json(a, "seams.stats", "");
        Assert.Multiple(() =>
        {
            Assert.That(stats.GetProperty("last_forwarded").GetString(), Is.EqualTo("link.out"));
            Assert.That(stats.GetProperty("account").GetString(), Is.EqualTo("RUNTIME"));
            Assert.That(stats.GetProperty("connected").GetInt64(), Is.EqualTo(2), "ClientConnected for its kind");
            Assert.That(stats.GetProperty("closed").GetInt64(), Is.EqualTo(1), "ClientClosed for the refused login");
            Assert.That(stats.GetProperty("heartbeats").GetInt64(), Is.Positive);
            Assert.That(stats.GetProperty("bytes_in").GetInt64(), Is.Positive, "the kernel read through the plugin's stream");
            Assert.That(stats.GetProperty("bytes_out").GetInt64(), Is.Positive, "and wrote through it");
        });

        // Lame duck reaches the plugin, which closes its listener.
        host.Signal(UnixSignal.User2);
        await host.WaitForLogAsync("seams: lame duck, listener closed");
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }

    private static async Task<NatsConnection> ConnectAsync(int port, string? user, string? password)
    {
        var connection = new NatsConnection(new NatsOpts
        {
            Url = $"nats://127.0.0.1:{port}",
            AuthOpts = user is null ? NatsAuthOpts.Default : new NatsAuthOpts { Username = user, Password = password },
            MaxReconnectRetry = 0,
            ConnectTimeout = Wait,
        });
        try
        {
            await connection.ConnectAsync();
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        return connection;
    }

    private static async Task<JsonElement> Json(NatsConnection connection, string subject, string payload)
    {
        var reply = await connection.RequestAsync<string, string>(subject, payload).AsTask().WaitAsync(Wait);
        return JsonDocument.Parse(reply.Data!).RootElement;
    }
}
