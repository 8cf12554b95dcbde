using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Nats.Core.Connections;

/// <summary>What a completed TLS handshake established.</summary>
/// <param name="Protocol">The negotiated TLS version.</param>
/// <param name="CipherSuite">The negotiated cipher suite name.</param>
/// <param name="PeerCertificate">The client's certificate, when it presented one.</param>
public sealed record TlsConnectionInfo(SslProtocols Protocol, string CipherSuite, X509Certificate2? PeerCertificate);
