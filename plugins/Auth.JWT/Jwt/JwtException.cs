namespace Nats.AuthJwt.Jwt;

/// <summary>A JWT that cannot be decoded, verified or encoded; the message is jwt's wording.</summary>
public sealed class JwtException : Exception
{
    /// <summary>A JWT that cannot be decoded, verified or encoded, and why.</summary>
    public JwtException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
