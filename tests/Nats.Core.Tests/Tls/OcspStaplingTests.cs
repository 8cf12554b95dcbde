using Nats.TestSupport;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Nats.Core.Security.Tls;
using static Nats.Core.Tests.Tls.TlsTestSupport;

namespace Nats.Core.Tests.Tls;

/// <summary>
/// OCSP stapling where the certificate asks for it (Must-Staple), as nats-server's default
/// <c>auto</c> mode: the server fetches a response from the certificate's responder (a local
/// one here) and staples it; <c>ocsp: false</c> turns that off and <c>mode: always</c> staples
/// every certificate that names a responder.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class OcspStaplingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    // Long enough for a fetch started at start-up to have reached a local responder.
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);
    private TestPki _pki = null!;
    private TestOcspResponder _responder = null!;
    private NatsServer? _server;

    [SetUp]
    public void Create()
    {
        _pki = new TestPki();
        _responder = new TestOcspResponder(_pki.Ca, _pki.CaKey);
    }

    [TearDown]
    public async Task Cleanup()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        await _responder.DisposeAsync();
        _pki.Dispose();
    }

    private async Task<NatsServer> StartAsync(IssuedCert cert, string extra = "", ILoggerFactory? logs = null, bool caFile = true)
    {
        var ca = caFile ? $", ca_file: {Q(_pki.CaPath)}" : "";
        _server = new NatsServer(TestConfig.Options($"tls {{ cert_file: {Q(cert.CertPath)}, key_file: {Q(cert.KeyPath)}{ca}, handshake_first: true }}\n{extra}"), logs);
        await _server.StartAsync();
        return _server;
    }

    private bool Stapling => _server!.TlsSets.Find(TlsStore.ClientSet)!.Stapling;

    [Test]
    public async Task A_must_staple_certificate_is_stapled_with_its_responders_answer()
    {
        var cert = _pki.Issue("server", mustStaple: true, ocspUrl: _responder.Url);
        var server = await StartAsync(cert);

        await Eventually.TrueAsync(() => _responder.Answered > 0, "the server to ask the certificate's OCSP responder", Wait);
        Assert.That(_responder.Requests.First(), Is.EqualTo(cert.Serial.TrimStart('0')));
        Assert.That(Stapling, Is.True);

        if (!File.Exists("/usr/bin/openssl"))
        {
            Assert.Ignore("openssl is not installed: the staple itself cannot be observed from a .NET client");
        }
        string output = "";
        await Eventually.TrueAsync(async () =>
        {
            output = await OpenSslStatusAsync(server.Port);
            return output.Contains("OCSP Response Status: successful", StringComparison.Ordinal);
        }, () => "openssl s_client -status to see the staple:\n" + output, Wait);
        Assert.That(output, Does.Contain("Cert Status: good"));
    }

    [Test]
    public async Task A_certificate_that_does_not_ask_is_not_stapled()
    {
        await StartAsync(_pki.Issue("server", ocspUrl: _responder.Url));

        await Task.Delay(Quiet);

        Assert.That(_responder.Answered, Is.Zero);
        Assert.That(Stapling, Is.False);
    }

    [Test]
    public async Task Ocsp_false_turns_stapling_off_even_for_must_staple()
    {
        await StartAsync(_pki.Issue("server", mustStaple: true, ocspUrl: _responder.Url), "ocsp: false");

        await Task.Delay(Quiet);

        Assert.That(_responder.Answered, Is.Zero);
        Assert.That(Stapling, Is.False);
    }

    [Test]
    public async Task Mode_always_staples_any_certificate_with_a_responder()
    {
        await StartAsync(_pki.Issue("server", ocspUrl: _responder.Url), "ocsp { mode: always }");

        await Eventually.TrueAsync(() => _responder.Answered > 0, "the server to ask the OCSP responder", Wait);
        Assert.That(Stapling, Is.True);
    }

    [Test]
    public async Task Stapling_without_the_issuer_is_reported_not_attempted()
    {
        var logs = new ListLoggerProvider();
        using var factory = logs.CreateFactory();
        // No ca_file and no chain in cert_file: .NET could not build the OCSP request.
        await StartAsync(_pki.Issue("server", mustStaple: true, ocspUrl: _responder.Url), logs: factory, caFile: false);

        Assert.That(Stapling, Is.False);
        Assert.That(logs.Contains(LogLevel.Warning, "OCSP stapling is not possible"), Is.True);
    }

    private async Task<string> OpenSslStatusAsync(int port)
    {
        var start = new ProcessStartInfo("/usr/bin/openssl")
        {
            ArgumentList = { "s_client", "-connect", $"127.0.0.1:{port}", "-status", "-CAfile", _pki.CaPath },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
        return await output + await errors;
    }
}
