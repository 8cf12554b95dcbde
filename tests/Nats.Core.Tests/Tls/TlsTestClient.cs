using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Nats.Core.Tests.Tls;

/// <summary>How a test client connects.</summary>
internal sealed record TlsClientOptions
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
/// A raw NATS client over TLS for tests: reads INFO in the clear (unless it does TLS first),
/// runs the handshake with <see cref="SslStream"/>, then speaks the protocol line by line.
/// </summary>
internal sealed class TlsTestClient : IAsyncDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(10);
    private readonly TcpClient _tcp = new();
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private Stream _stream = null!;

    private TlsTestClient()
    {
    }

    /// <summary>The INFO line the server sent.</summary>
    public string Info { get; private set; } = "";

    /// <summary>The certificate the server presented.</summary>
    public X509Certificate2? ServerCertificate { get; private set; }

    /// <summary>The negotiated TLS version.</summary>
    public SslProtocols Protocol { get; private set; }

    /// <summary>The negotiated cipher suite.</summary>
    public TlsCipherSuite CipherSuite { get; private set; }

    /// <summary>Connects, handshakes, and (with a CONNECT) completes a PING/PONG so the server has processed the CONNECT.</summary>
    public static async Task<TlsTestClient> ConnectAsync(int port, TlsClientOptions options)
    {
        var client = new TlsTestClient();
        try
        {
            await client.OpenAsync(port, options);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Connects and reports why the server refused, or null when it accepted: with TLS 1.3 a
    /// refused client certificate may only show on the first read after the handshake.
    /// </summary>
    public static async Task<string?> RefusalAsync(int port, TlsClientOptions options)
    {
        try
        {
            await using var client = await ConnectAsync(port, options);
            return null;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException or TimeoutException or EndOfStreamException)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }

    public Task SendAsync(string text) => _stream.WriteAsync(Encoding.UTF8.GetBytes(text)).AsTask();

    /// <summary>Round trip: everything sent before is processed by the server.</summary>
    public async Task FlushAsync()
    {
        await SendAsync("PING\r\n");
        await ExpectAsync("PONG\r\n");
    }

    /// <summary>Waits until <paramref name="expected"/> arrives; returns everything up to it.</summary>
    public async Task<string> ExpectAsync(string expected, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Step);
        while (true)
        {
            var text = _received.ToString();
            var index = text.IndexOf(expected, StringComparison.Ordinal);
            if (index >= 0)
            {
                _received.Remove(0, index + expected.Length);
                return text[..(index + expected.Length)];
            }
            try
            {
                await FillAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"did not receive '{expected}'; got '{text}'");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }
        _tcp.Dispose();
    }

    private async Task OpenAsync(int port, TlsClientOptions options)
    {
        await _tcp.ConnectAsync("127.0.0.1", port);
        _stream = _tcp.GetStream();
        if (!options.HandshakeFirst)
        {
            Info = await ReadLineAsync();
        }
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        var chain = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck,
        };
        chain.CustomTrustStore.Add(options.Trust);
        using (var cts = new CancellationTokenSource(Step))
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                EnabledSslProtocols = options.Protocols,
                CertificateChainPolicy = chain,
                ClientCertificates = options.ClientCertificate is null ? null : new X509CertificateCollection { options.ClientCertificate },
                RemoteCertificateValidationCallback = (_, _, _, errors) => errors == SslPolicyErrors.None,
            }, cts.Token);
        }
        _stream = ssl;
        ServerCertificate = ssl.RemoteCertificate as X509Certificate2;
        Protocol = ssl.SslProtocol;
        CipherSuite = ssl.NegotiatedCipherSuite;
        if (options.HandshakeFirst)
        {
            Info = await ReadLineAsync();
        }
        if (options.Connect is not null)
        {
            await SendAsync($"CONNECT {options.Connect}\r\nPING\r\n");
            var reply = await ExpectAsync("\r\n");
            if (reply.StartsWith("-ERR", StringComparison.Ordinal))
            {
                throw new IOException("server refused: " + reply.Trim());
            }
            if (reply != "PONG\r\n")
            {
                await ExpectAsync("PONG\r\n");
            }
        }
    }

    private async Task<string> ReadLineAsync()
    {
        using var cts = new CancellationTokenSource(Step);
        while (true)
        {
            var text = _received.ToString();
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                _received.Remove(0, end + 2);
                return text[..end];
            }
            await FillAsync(cts.Token);
        }
    }

    // Reads byte by byte before the handshake so no TLS bytes are taken for protocol text.
    private async Task FillAsync(CancellationToken token)
    {
        var read = await _stream.ReadAsync(_stream is NetworkStream ? _buffer.AsMemory(0, 1) : _buffer, token);
        if (read == 0)
        {
            throw new EndOfStreamException($"server closed the connection; got '{_received}'");
        }
        _received.Append(Encoding.UTF8.GetString(_buffer, 0, read));
    }
}
