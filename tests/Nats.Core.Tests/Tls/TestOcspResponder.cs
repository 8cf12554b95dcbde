using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Nats.Core.Tests.Tls;

/// <summary>
/// A minimal OCSP responder on 127.0.0.1 for stapling tests: answers RFC 6960 GET requests
/// with "good" for whatever certificate is asked about, signed by the issuing CA, and records
/// the requests it saw. BouncyCastle (a test-only dependency) builds the responses.
/// </summary>
internal sealed class TestOcspResponder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly BcCertificate _issuer;
    private readonly Org.BouncyCastle.Crypto.AsymmetricKeyParameter _issuerKey;
    private readonly string _signatureAlgorithm;
    private readonly Task _loop;

    public TestOcspResponder(X509Certificate2 issuer, AsymmetricAlgorithm issuerKey)
    {
        _issuer = new Org.BouncyCastle.X509.X509CertificateParser().ReadCertificate(issuer.RawData);
        var pkcs8 = issuerKey switch
        {
            ECDsa ec => ec.ExportPkcs8PrivateKey(),
            RSA rsa => rsa.ExportPkcs8PrivateKey(),
            _ => throw new ArgumentException("unknown key type"),
        };
        _issuerKey = PrivateKeyFactory.CreateKey(pkcs8);
        _signatureAlgorithm = issuerKey is ECDsa ? "SHA256WITHECDSA" : "SHA256WITHRSA";
        _listener.Start();
        _loop = ServeAsync();
    }

    /// <summary>The URL to put in a certificate's AIA extension.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/ocsp";

    /// <summary>How many requests were answered.</summary>
    public int Answered => Requests.Count;

    /// <summary>The serial numbers asked about (hex, upper case).</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            try
            {
                await AnswerAsync(client.GetStream());
            }
            catch (Exception ex) when (ex is IOException or FormatException or OcspException or ArgumentException)
            {
            }
        }
    }

    private async Task AnswerAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, _stop.Token);
            if (read == 0)
            {
                return;
            }
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        // GET /ocsp/{url-escaped base64 of the DER OCSPRequest} HTTP/1.1
        var path = head.ToString().Split(' ')[1];
        var encoded = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        var request = new OcspReq(Convert.FromBase64String(encoded));
        var id = request.GetRequestList()[0].GetCertID();
        var generator = new BasicOcspRespGenerator(new RespID(_issuer.SubjectDN));
        var now = DateTime.UtcNow;
        generator.AddResponse(id, CertificateStatus.Good, now.AddMinutes(-1), now.AddHours(1), null);
        var basic = generator.Generate(_signatureAlgorithm, _issuerKey, null, now);
        var body = new OCSPRespGenerator().Generate(OcspRespStatus.Successful, basic).GetEncoded();
        Requests.Enqueue(id.SerialNumber.ToString(16).ToUpperInvariant());
        var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header), _stop.Token);
        await stream.WriteAsync(body, _stop.Token);
    }
}
