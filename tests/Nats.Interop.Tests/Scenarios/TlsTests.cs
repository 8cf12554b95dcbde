using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

[Category("Tls")]
[CancelAfter(BudgetMs)]
public sealed class TlsTests : InteropTest
{
    [Test]
    public async Task ClientTrustingTheCaDoesPubSubOverTls([Values] ClientKind client)
    {
        var tls = TestCertificates.Write(Scope.Dir);
        var server = await Scope.StartServerAsync(
            $"tls {{\n  cert_file: \"{tls.ServerCertPath}\"\n  key_file: \"{tls.ServerKeyPath}\"\n  timeout: 5\n}}\n");

        var result = await Scope.RunClientAsync(client, "tls", Args(
            ("servers", $"tls://127.0.0.1:{server.Port}"), ("ca_file", tls.CaCertPath), ("count", 10)));

        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Bool("server_tls_required"), Is.True, "INFO must announce tls_required: " + result.RawLine);
            Assert.That(result.Long("received"), Is.EqualTo(10), result.RawLine);
            // Proves the client really verified the chain against our CA rather than skipping it.
            Assert.That(result.String("untrusted_error"), Is.Not.Null, "a client without the CA must be refused: " + result.RawLine);
        });
    }
}
