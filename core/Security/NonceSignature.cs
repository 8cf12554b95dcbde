namespace Nats.Core.Security;

/// <summary>Outcome of checking a CONNECT <c>sig</c> against the nonce; each failure maps to the nats-server debug message.</summary>
public enum NonceSignatureResult
{
    /// <summary>The signature is valid for the nonce and key.</summary>
    Verified,

    /// <summary>No <c>sig</c> was sent ("Signature missing").</summary>
    SignatureMissing,

    /// <summary><c>sig</c> is neither raw-URL nor standard base64 ("Signature not valid base64").</summary>
    SignatureNotBase64,

    /// <summary>The public key does not decode ("User nkey not valid").</summary>
    InvalidPublicKey,

    /// <summary>The signature does not verify ("Signature not verified").</summary>
    SignatureNotVerified,
}

/// <summary>
/// The nkey challenge check of nats-server's <c>isClientAuthorized</c> (server/auth.go): decode the
/// CONNECT <c>sig</c> with <c>base64.RawURLEncoding</c>, fall back to <c>base64.StdEncoding</c>
/// when that fails, decode the public key (any public role), and verify Ed25519 over the nonce.
/// </summary>
/// <remarks>
/// The two accepted spellings are exactly Go's: unpadded URL-safe (what nats.go, nats.js and
/// nats.net send) or padded standard. Padded URL-safe and unpadded standard with '+' or '/'
/// fail both decoders in Go, so they fail here as well.
/// </remarks>
public static class NonceSignature
{
    /// <summary>Decodes a CONNECT <c>sig</c> the way nats-server does; false where it would log "Signature not valid base64".</summary>
    public static bool TryDecode(string signature, out byte[] bytes)
    {
        var buffer = new byte[GoBase64.MaxDecodedLength(signature.Length)];
        if (GoBase64.TryDecode(GoBase64.RawUrl, signature, buffer, out var n)
            || GoBase64.TryDecode(GoBase64.Std, signature, buffer, out n))
        {
            bytes = n == buffer.Length ? buffer : buffer.AsSpan(0, n).ToArray();
            return true;
        }
        bytes = [];
        return false;
    }

    /// <summary>
    /// Checks <paramref name="signature"/> (the CONNECT <c>sig</c>) over <paramref name="nonce"/>
    /// (the nonce text sent in INFO, as bytes) for <paramref name="publicKey"/> (the CONNECT
    /// <c>nkey</c>, or a JWT's subject).
    /// </summary>
    public static NonceSignatureResult Verify(string publicKey, ReadOnlySpan<byte> nonce, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return NonceSignatureResult.SignatureMissing;
        }
        if (!TryDecode(signature, out var sig))
        {
            return NonceSignatureResult.SignatureNotBase64;
        }
        if (!NKeys.TryDecodePublicKey(publicKey, out var rawKey))
        {
            return NonceSignatureResult.InvalidPublicKey;
        }
        return Ed25519Signatures.Verify(rawKey, nonce, sig)
            ? NonceSignatureResult.Verified
            : NonceSignatureResult.SignatureNotVerified;
    }
}
