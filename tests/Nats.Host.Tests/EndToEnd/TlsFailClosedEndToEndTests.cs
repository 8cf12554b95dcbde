using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// TLS settings that cannot be applied: the stock host refuses to start, naming the setting, and
/// <c>-t</c> fails the same way, instead of running (or passing the check) with less security
/// than configured. nats-server 2.9.10 refuses a certificate it cannot load at start and in
/// <c>-t</c> alike; it starts with <c>verify</c> and no certificate (every handshake then fails),
/// which this server refuses.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class TlsFailClosedEndToEndTests
{
    private const string ParseError = "error parsing X509 certificate/key pair: cert_file \"missing.pem\"";

    [TestCase("tls { cert_file: \"missing.pem\", key_file: \"missing-key.pem\" }\n", "tls: " + ParseError, true)]
    [TestCase("cluster { listen: \"127.0.0.1:{1}\", tls { cert_file: \"missing.pem\", key_file: \"missing-key.pem\" } }\n", "cluster.tls: " + ParseError, true)]
    [TestCase("tls { verify: true }\n", "tls: missing 'cert_file' in TLS configuration", false)]
    public async Task A_tls_setting_that_cannot_be_applied_stops_the_start_and_fails_the_check(string block, string error, bool natsServerRefusesToo)
    {
        using var dir = new TempDirectory();
        var ports = FreePorts.Take(2);
        dir.Write("tls.conf", $"port: {ports[0]}\n" + block.Replace("{1}", ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

        using (var host = await HostProcess.RunAsync(dir.Path, "-c", "tls.conf"))
        {
            Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(host.StandardError, Does.Contain("nats-server: " + error));
            Assert.That(host.StandardError + host.StandardOutput, Does.Not.Contain("Server is ready"));
        }
        using (var check = await HostProcess.RunAsync(dir.Path, "-t", "-c", "tls.conf"))
        {
            Assert.That(await check.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(check.StandardError, Does.StartWith("nats-server: " + error));
            Assert.That(check.StandardError, Does.Not.Contain("is valid"));
        }
        if (natsServerRefusesToo && ReferenceServer.FindBinary() is { } natsServer)
        {
            Assert.That((await HostProcess.RunOtherAsync(natsServer, dir.Path, "-t", "-c", "tls.conf")).ExitCode, Is.EqualTo(1), "nats-server's check fails too");
        }
    }
}
