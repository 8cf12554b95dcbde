using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.TestSupport;

namespace Nats.Leafnode.Tests.Links;

/// <summary>
/// TLS of leaf links reloading as nats-server's: certificate files replaced under an unchanged
/// config are read again on a reload (and by themselves with <c>watch: true</c>), the hub's
/// listener and each remote alike; new links use the new certificates and live links stay, as
/// nats-server keeps its leaf connections through a TLS reload.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
[NonParallelizable]
public sealed class TlsReloadTests
{
    private static ServerOptions Options(string config) => Leaf.ReloadOptions(config);

    private static string HubConfig(int port, string cert, string key, bool watch = false) => $$"""
        leafnodes { listen: "127.0.0.1:{{port}}", tls { cert_file: "{{cert}}", key_file: "{{key}}", watch: {{(watch ? "true" : "false")}} } }
        """;

    private static string LeafConfig(int port, string ca, bool watch = false) => $$"""
        leafnodes { reconnect: 1, remotes: [ { url: "nats-leaf://localhost:{{port}}", tls { ca_file: "{{ca}}", watch: {{(watch ? "true" : "false")}} } } ] }
        """;

    /// <summary>A copy of a certificate's files that the test can overwrite.</summary>
    private static (string Cert, string Key) Copy(SelfSignedCertificate source, string directory)
    {
        var cert = Path.Combine(directory, "leaf-cert.pem");
        var key = Path.Combine(directory, "leaf-key.pem");
        File.Copy(source.CertPath, cert, overwrite: true);
        File.Copy(source.KeyPath, key, overwrite: true);
        return (cert, key);
    }

    /// <summary>Two certificates, and the hub's files holding the first until <see cref="SwapToTwo"/>.</summary>
    private sealed class HubCertificates : IDisposable
    {
        private readonly SelfSignedCertificate _files = new("CN=unused");

        public HubCertificates() => (Cert, Key) = Copy(One, _files.Dir);

        public SelfSignedCertificate One { get; } = new("CN=hub-one");

        public SelfSignedCertificate Two { get; } = new("CN=hub-two");

        public string Cert { get; }

        public string Key { get; }

        public void SwapToTwo() => Copy(Two, _files.Dir);

        public void Dispose()
        {
            One.Dispose();
            Two.Dispose();
            _files.Dispose();
        }
    }

    /// <summary>The certificate the hub's leaf port presents to a new connection that trusts <paramref name="expected"/>, or null when the handshake fails.</summary>
    private static async Task<string?> PresentedThumbprintAsync(int port, SelfSignedCertificate expected)
    {
        using var trust = X509Certificate2.CreateFromPem(File.ReadAllText(expected.CertPath));
        try
        {
            // No CONNECT: a client CONNECT on the leaf port would be refused; the handshake is what counts.
            await using var client = await RawClient.ConnectTlsAsync(port, new TlsClientOptions { Trust = trust, Connect = null });
            return client.ServerCertificate?.Thumbprint;
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException)
        {
            return null;
        }
    }

    [Test]
    public async Task A_reload_swaps_the_hub_certificate_for_new_leafs_and_the_live_link_stays()
    {
        using var certificates = new HubCertificates();
        var (one, two, cert, key) = (certificates.One, certificates.Two, certificates.Cert, certificates.Key);
        var port = FreePorts.Take();
        var hubConfig = HubConfig(port, cert, key);
        var hubLogs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync(hubConfig, hubLogs);
        await using var first = await OurServer.StartAsync(LeafConfig(port, one.CertPath));
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && first.LeafCount == 1, "the leaf trusting the first certificate connects");
        var link = hub.Manager.Connections.Single();

        certificates.SwapToTwo();
        var result = hub.Server.Reload(Options(hubConfig));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(hubLogs.Contains("leafnodes: TLS certificates reloaded"), Is.False, "an unchanged block is the kernel's file reload, not the listener's");
        Assert.That(await PresentedThumbprintAsync(port, two), Is.EqualTo(two.Thumbprint), "a new connection gets the new certificate");
        await using var second = await OurServer.StartAsync(LeafConfig(port, two.CertPath));
        await Leaf.UntilAsync(() => hub.LeafCount == 2 && second.LeafCount == 1, "a leaf trusting only the new certificate connects");
        Assert.That(hub.Manager.Connections, Does.Contain(link), "the live link stays");
        Assert.That(first.LeafCount, Is.EqualTo(1));
    }

    [Test]
    public async Task A_reload_that_points_the_listener_at_other_files_installs_them_and_says_so()
    {
        using var one = new SelfSignedCertificate("CN=hub-one");
        using var two = new SelfSignedCertificate("CN=hub-two");
        var port = FreePorts.Take();
        var logs = new ListLoggerProvider(LogLevel.Information);
        await using var hub = await OurServer.StartAsync(HubConfig(port, one.CertPath, one.KeyPath), logs);

        var result = hub.Server.Reload(Options(HubConfig(port, two.CertPath, two.KeyPath)));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(logs.Contains("leafnodes: TLS certificates reloaded"), Is.True, string.Join("\n", logs.Texts));
        Assert.That(await PresentedThumbprintAsync(port, two), Is.EqualTo(two.Thumbprint), "a new connection gets the new certificate");
    }

    [Test]
    public async Task Turning_the_listeners_tls_off_or_loading_bad_files_is_refused_and_the_certificate_stays()
    {
        using var one = new SelfSignedCertificate("CN=hub-one");
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, one.CertPath, one.KeyPath));

        var off = hub.Server.Reload(Options($$"""leafnodes { listen: "127.0.0.1:{{port}}" }"""));
        var missing = hub.Server.Reload(Options(HubConfig(port, one.CertPath + ".missing", one.KeyPath)));

        Assert.That(off.Success, Is.False);
        Assert.That(string.Join("; ", off.Errors), Does.Contain("leafnodes.tls").And.Contain("needs a restart"));
        Assert.That(missing.Success, Is.False);
        Assert.That(string.Join("; ", missing.Errors), Does.Contain("leafnodes.tls"));
        Assert.That(await PresentedThumbprintAsync(port, one), Is.EqualTo(one.Thumbprint), "the listener keeps its certificate");
    }

    [Test]
    public async Task With_watch_the_hub_takes_a_new_certificate_without_a_reload()
    {
        using var certificates = new HubCertificates();
        var (one, two, cert, key) = (certificates.One, certificates.Two, certificates.Cert, certificates.Key);
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, cert, key, watch: true));
        Assert.That(await PresentedThumbprintAsync(port, one), Is.EqualTo(one.Thumbprint));

        certificates.SwapToTwo();

        string? presented = null;
        await Eventually.TrueAsync(async () => (presented = await PresentedThumbprintAsync(port, two)) == two.Thumbprint,
            "the watched files are loaded", TimeSpan.FromSeconds(10));
        Assert.That(presented, Is.EqualTo(two.Thumbprint));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_remote_reads_its_changed_ca_file_on_reload_or_watch_and_then_connects(bool watch)
    {
        using var hubCert = new SelfSignedCertificate("CN=hub");
        using var other = new SelfSignedCertificate("CN=someone-else");
        using var files = new SelfSignedCertificate("CN=unused");
        var ca = Path.Combine(files.Dir, "leaf-ca.pem");
        File.Copy(other.CertPath, ca);
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, hubCert.CertPath, hubCert.KeyPath));
        var logs = new ListLoggerProvider(LogLevel.Information);
        var leafConfig = LeafConfig(port, ca, watch);
        await using var leaf = await OurServer.StartAsync(leafConfig, logs);
        await Leaf.UntilAsync(() => logs.Contains("handshake error") || logs.Texts.Count > 40, "the remote does not trust the hub yet");
        Assert.That(logs.Contains("handshake error"), Is.True, string.Join("\n", logs.Texts));
        Assert.That(hub.LeafCount, Is.EqualTo(0));

        File.Copy(hubCert.CertPath, ca, overwrite: true);
        if (!watch)
        {
            var result = leaf.Server.Reload(Options(leafConfig));
            Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        }

        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the next dial trusts the hub");
    }

    [Test]
    public async Task A_reload_that_changes_only_a_remotes_tls_block_keeps_its_link()
    {
        using var hubCert = new SelfSignedCertificate("CN=hub");
        using var files = new SelfSignedCertificate("CN=unused");
        var copy = Path.Combine(files.Dir, "other-ca.pem");
        File.Copy(hubCert.CertPath, copy);
        var port = FreePorts.Take();
        await using var hub = await OurServer.StartAsync(HubConfig(port, hubCert.CertPath, hubCert.KeyPath));
        var logs = new ListLoggerProvider(LogLevel.Information);
        await using var leaf = await OurServer.StartAsync(LeafConfig(port, hubCert.CertPath), logs);
        await Leaf.UntilAsync(() => hub.LeafCount == 1 && leaf.LeafCount == 1, "the leaf connects");
        var link = leaf.Manager.Connections.Single();

        var result = leaf.Server.Reload(Options(LeafConfig(port, copy)));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(logs.Contains("Reloaded: LeafNode Remote nats-leaf://localhost:" + port + " TLS"), Is.True, string.Join("\n", logs.Texts));
        Assert.That(leaf.Manager.Connections.Single(), Is.SameAs(link), "the link stays");
        Assert.That(logs.Contains("removed or disabled"), Is.False);
    }
}
