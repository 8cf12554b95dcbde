using Nats.TestSupport;

namespace Nats.Gateway.Tests;

/// <summary>Gateways over TLS, between our servers and with nats-server 2.9.10.</summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class TlsTests
{
    private static string Tls(SelfSignedCertificate certificate) =>
        $"tls {{ cert_file: \"{certificate.CertPath}\", key_file: \"{certificate.KeyPath}\", ca_file: \"{certificate.CertPath}\", timeout: 5 }}";

    [Test]
    public async Task Our_clusters_talk_over_TLS()
    {
        using var certificate = new SelfSignedCertificate();
        var ports = FreePorts.Take(2);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])) + "\n" + Tls(certificate));
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1], ("A", ports[0])) + "\n" + Tls(certificate));
        await a.WaitForGatewayAsync("B");
        await b.WaitForGatewayAsync("A");
        var (outbound, inbound) = a.Manager.Connections();
        Assert.That(outbound.Concat(inbound).All(c => c.Tls is not null), Is.True, "every gateway connection is encrypted");
        Assert.That(outbound[0].Tls!.PeerCertificate?.Thumbprint, Is.EqualTo(certificate.Thumbprint));

        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var sub = await onB.SubscribeCoreAsync<string>("secure");
        await Gateways.WaitForInterestAsync(onA, sub, "secure");
        await onA.PublishAsync("secure", "sealed");
        Assert.That(await Gateways.ReadAsync(sub, 1), Is.EqualTo(new[] { "sealed" }));
    }

    [Test]
    public async Task Our_cluster_and_nats_server_talk_over_TLS_both_ways()
    {
        ReferenceServer.RequireInstalled();
        using var certificate = new SelfSignedCertificate();
        var ports = FreePorts.Take(3);
        await using var ours = await OurServer.StartAsync("ours1", Gateways.Block("OURS", ports[0], ("GO", ports[1])) + "\n" + Tls(certificate));
        var goBlock = $"name: GO\nlisten: \"127.0.0.1:{ports[1]}\"\n{Tls(certificate)}\ngateways: [{Gateways.Remote("OURS", ports[0])}]";
        await using var theirs = await ReferenceServer.StartAsync(Gateways.ReferenceConfig("go1", ports[2], goBlock), ports[2]);
        await ours.WaitForGatewayAsync("GO", TimeSpan.FromSeconds(20));
        var (outbound, inbound) = ours.Manager.Connections();
        Assert.That(outbound.Concat(inbound).All(c => c.Tls is not null), Is.True);

        await using var onOurs = await Gateways.ConnectAsync(ours.ClientUrl);
        await using var onTheirs = await Gateways.ConnectAsync($"nats://127.0.0.1:{ports[2]}");
        await using var subTheirs = await onTheirs.SubscribeCoreAsync<string>("tls.go");
        await using var subOurs = await onOurs.SubscribeCoreAsync<string>("tls.ours");
        await Gateways.WaitForInterestAsync(onOurs, subTheirs, "tls.go");
        await Gateways.WaitForInterestAsync(onTheirs, subOurs, "tls.ours");
    }

    [Test]
    public async Task A_TLS_reload_reaches_explicit_and_implicit_remotes_while_old_connections_keep_working()
    {
        using var first = new SelfSignedCertificate();
        using var second = new SelfSignedCertificate("CN=localhost rotated");
        var bundle = Path.Combine(first.Dir, "ca-bundle.pem");
        await File.WriteAllTextAsync(bundle, await File.ReadAllTextAsync(first.CertPath) + "\n" + await File.ReadAllTextAsync(second.CertPath));
        string Tls(SelfSignedCertificate certificate) =>
            $"tls {{ cert_file: \"{certificate.CertPath}\", key_file: \"{certificate.KeyPath}\", ca_file: \"{bundle}\", timeout: 5 }}";

        // A lists B (explicit); B lists nobody and dials A back as an implicit remote.
        var ports = FreePorts.Take(2);
        var blockA = Gateways.Block("A", ports[0], ("B", ports[1]));
        var blockB = Gateways.Block("B", ports[1]);
        await using var a = await OurServer.StartAsync("a1", blockA + "\n" + Tls(first));
        await using var b = await OurServer.StartAsync("b1", blockB + "\n" + Tls(first));
        await a.WaitForGatewayAsync("B");
        await b.WaitForGatewayAsync("A");
        Assert.That(b.Manager.Remotes().Single().IsImplicit, Is.True);
        var oldOutboundA = a.Manager.Connections().Outbound.Single();
        var oldOutboundB = b.Manager.Connections().Outbound.Single();
        Assert.That(oldOutboundA.Tls!.PeerCertificate!.Thumbprint, Is.EqualTo(first.Thumbprint));

        Assert.That(a.Reload(blockA + "\n" + Tls(second)).Success, Is.True);
        Assert.That(b.Reload(blockB + "\n" + Tls(second)).Success, Is.True);

        // The old connections still carry messages.
        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var subB = await onB.SubscribeCoreAsync<string>("rotated");
        await Gateways.WaitForInterestAsync(onA, subB, "rotated");
        Assert.That(a.Manager.Connections().Outbound.Single(), Is.SameAs(oldOutboundA));

        // New handshakes, explicit (A to B) and implicit (B to A), see the new certificate.
        oldOutboundA.Close(Nats.Core.Connections.ClosedReason.ReadError);
        oldOutboundB.Close(Nats.Core.Connections.ClosedReason.ReadError);
        await Eventually.TrueAsync(() => a.Manager.Connections().Outbound.Any(c => !ReferenceEquals(c, oldOutboundA) && c.Tls is not null)
            && b.Manager.Connections().Outbound.Any(c => !ReferenceEquals(c, oldOutboundB) && c.Tls is not null), "both reconnected", TimeSpan.FromSeconds(20))
            .ContinueWith(t =>
            {
                if (t.IsFaulted)
                {
                    TestContext.Out.WriteLine("A:\n" + string.Join("\n", a.Logs.Lines.Select(l => l.Message)) + "\nB:\n" + string.Join("\n", b.Logs.Lines.Select(l => l.Message)));
                }
                return t;
            }).Unwrap();
        Assert.That(a.Manager.Connections().Outbound.Single().Tls!.PeerCertificate!.Thumbprint, Is.EqualTo(second.Thumbprint), "explicit remote");
        Assert.That(b.Manager.Connections().Outbound.Single().Tls!.PeerCertificate!.Thumbprint, Is.EqualTo(second.Thumbprint), "implicit remote");
    }

    [Test]
    public async Task A_reload_that_changes_more_than_TLS_is_refused()
    {
        var ports = FreePorts.Take(2);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])));
        var result = a.Reload(Gateways.Block("A", ports[0], ("B", ports[1])) + "\nconnect_retries: 5");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Count.EqualTo(1), string.Join(" | ", result.Errors));
        Assert.That(result.Errors.Single(), Does.StartWith("config reload not supported for Gateway: old="));
    }

    [Test]
    public async Task Watch_true_in_the_gateway_block_installs_changed_files_for_new_handshakes_both_ways()
    {
        // A's certificate lives in files of its own that are rotated in place; B trusts all three.
        // verify: both ends present certificates, so B sees A's as a server (B dials) and as a client (A dials).
        using var aCert = new SelfSignedCertificate("CN=localhost A");
        using var bCert = new SelfSignedCertificate("CN=localhost B");
        using var rotated = new SelfSignedCertificate("CN=localhost A rotated");
        var bundle = Path.Combine(aCert.Dir, "ca-bundle.pem");
        await File.WriteAllTextAsync(bundle, string.Join("\n", await Task.WhenAll(
            File.ReadAllTextAsync(aCert.CertPath), File.ReadAllTextAsync(bCert.CertPath), File.ReadAllTextAsync(rotated.CertPath))));
        string Tls(SelfSignedCertificate certificate, string extra = "") =>
            $"tls {{ cert_file: \"{certificate.CertPath}\", key_file: \"{certificate.KeyPath}\", ca_file: \"{bundle}\", verify: true, timeout: 5{extra} }}";

        // A lists B (explicit remote); B lists nobody and dials A back (implicit remote).
        var ports = FreePorts.Take(2);
        await using var a = await OurServer.StartAsync("a1", Gateways.Block("A", ports[0], ("B", ports[1])) + "\n" + Tls(aCert, ", watch: true"));
        await using var b = await OurServer.StartAsync("b1", Gateways.Block("B", ports[1]) + "\n" + Tls(bCert));
        await a.WaitForGatewayAsync("B");
        await b.WaitForGatewayAsync("A");
        Assert.That(b.Manager.Remotes().Single().IsImplicit, Is.True);
        var oldFromB = b.Manager.Connections().Outbound.Single();
        var oldIntoB = b.Manager.Connections().Inbound.Single();
        Assert.That(Serial(oldFromB), Is.EqualTo(SerialOf(aCert)), "A's server certificate, seen by B's outbound");
        Assert.That(Serial(oldIntoB), Is.EqualTo(SerialOf(aCert)), "A's client certificate, seen by B's inbound");

        // Rotation in place: no reload, the watcher installs the files once they change.
        File.Copy(rotated.CertPath, aCert.CertPath, overwrite: true);
        File.Copy(rotated.KeyPath, aCert.KeyPath, overwrite: true);
        await Eventually.TrueAsync(() => a.Logs.Lines.Any(l => l.Message.Contains("reloaded from changed files", StringComparison.Ordinal)),
            "A installs the changed files", TimeSpan.FromSeconds(15));

        // The old connections keep carrying messages.
        await using var onA = await Gateways.ConnectAsync(a.ClientUrl);
        await using var onB = await Gateways.ConnectAsync(b.ClientUrl);
        await using var subB = await onB.SubscribeCoreAsync<string>("watched");
        await Gateways.WaitForInterestAsync(onA, subB, "watched");
        Assert.That(b.Manager.Connections().Outbound.Single(), Is.SameAs(oldFromB));

        // New handshakes both ways: B dialing A (implicit remote) and A dialing B (explicit remote).
        oldFromB.Close(Nats.Core.Connections.ClosedReason.ReadError);
        a.Manager.Connections().Outbound.Single().Close(Nats.Core.Connections.ClosedReason.ReadError);
        var expected = SerialOf(rotated);
        await Eventually.TrueAsync(() =>
        {
            var (outbound, inbound) = b.Manager.Connections();
            return outbound.Any(c => !ReferenceEquals(c, oldFromB) && Serial(c) == expected)
                && inbound.Any(c => !ReferenceEquals(c, oldIntoB) && Serial(c) == expected);
        }, "B sees A's rotated certificate on new handshakes both ways", TimeSpan.FromSeconds(20));

        await using var subB2 = await onB.SubscribeCoreAsync<string>("watched.after");
        await Gateways.WaitForInterestAsync(onA, subB2, "watched.after");
    }

    private static string? Serial(GatewayConnection connection) => connection.Tls?.PeerCertificate?.GetSerialNumberString();

    private static string SerialOf(SelfSignedCertificate certificate) =>
        System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(File.ReadAllText(certificate.CertPath)).SerialNumber;
}
