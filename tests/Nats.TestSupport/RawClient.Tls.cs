using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Nats.TestSupport;

/// <summary>How a test client does TLS.</summary>
public sealed record TlsClientOptions
{
    /// <summary>The CA the client trusts for the server's certificate.</summary>
    public required X509Certificate2 Trust { get; init; }

    /// <summary>A client certificate (with key) to present, if any.</summary>
    public X509Certificate2? ClientCertificate { get; init; }

    /// <summary>Start TLS at once, before reading INFO (for <c>handshake_first</c>).</summary>
    public bool HandshakeFirst { get; init; }

    /// <summary>TLS versions the client offers; <see cref="SslProtocols.None"/> for the defaults.</summary>
    public SslProtocols Protocols { get; init; } = SslProtocols.None;

    /// <summary>The CONNECT to send after the handshake; null to send nothing.</summary>
    public string? Connect { get; init; } = "{\"verbose\":false,\"pedantic\":false,\"protocol\":1,\"headers\":true}";
}

/// <summary>
/// The client over TLS: INFO in the clear (unless it does TLS first), the handshake with
/// <see cref="SslStream"/>, then the same protocol through the encrypted stream.
/// </summary>
public sealed partial class RawClient
{
    // Handshakes with certificate checks are slower than plain round trips.
    private static readonly TimeSpan TlsTimeout = TimeSpan.FromSeconds(10);

    private SslStream? _tls;

    /// <summary>The certificate the server presented, once TLS is up.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    /// <summary>The negotiated TLS version.</summary>
    public SslProtocols TlsProtocol { get; private set; }

    /// <summary>The negotiated cipher suite.</summary>
    public TlsCipherSuite CipherSuite { get; private set; }

    /// <summary>Connects, handshakes, and (with a CONNECT) completes a PING/PONG so the server has processed the CONNECT.</summary>
    /// <exception cref="IOException">The server answered the CONNECT with <c>-ERR</c>.</exception>
    public static async Task<RawClient> ConnectTlsAsync(int port, TlsClientOptions options)
    {
        var client = await ConnectAsync(port, readInfo: false);
        client.Timeout = TlsTimeout;
        try
        {
            await client.StartTlsAsync(options);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects over TLS and reports why the server refused, or null when it accepted: with TLS
    /// 1.3 a refused client certificate may only show on the first read after the handshake.
    /// </summary>
    public static async Task<string?> TlsRefusalAsync(int port, TlsClientOptions options)
    {
        try
        {
            await using var client = await ConnectTlsAsync(port, options);
            return null;
        }
        // An AssertionException here is this client's "the server closed the connection".
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException or TimeoutException or AssertionException)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }

    private async Task StartTlsAsync(TlsClientOptions options)
    {
        if (!options.HandshakeFirst)
        {
            await ReadInfoAsync();
        }
        // Only INFO comes before the handshake; anything else read would be lost to the TLS stream.
        if (_end > _start)
        {
            throw new InvalidOperationException("unexpected bytes before the TLS handshake");
        }
        var ssl = new SslStream(new NetworkStream(_socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var chain = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chain.CustomTrustStore.Add(options.Trust);
        try
        {
            using var cts = Cancellation();
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = options.Protocols,
                CertificateChainPolicy = chain,
                ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
            }, cts.Token);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
        _tls = ssl;
        ServerCertificate = ssl.RemoteCertificate as X509Certificate2;
        TlsProtocol = ssl.SslProtocol;
        CipherSuite = ssl.NegotiatedCipherSuite;
        if (options.HandshakeFirst)
        {
            await ReadInfoAsync();
        }
        if (options.Connect is not null)
        {
            await SendAsync($"CONNECT {options.Connect}\r\nPING\r\n");
            var reply = await ReadLineAsync();
            if (reply.StartsWith("-ERR", StringComparison.Ordinal))
            {
                throw new IOException("server refused: " + reply);
            }
            if (reply != "PONG")
            {
                await ExpectAsync("PONG\r\n");
            }
        }
    }
}
