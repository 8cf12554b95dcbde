using Nats.AuthJwt.Creds;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.Core.Config;

namespace Nats.AuthJwt.Config;

/// <summary>
/// nats-server's <c>readOperatorJWT</c> for each value of <c>operator</c>: a file (a bare or
/// decorated JWT) or, when no such file exists and the text starts with <c>eyJ</c>, the JWT
/// itself. Relative paths are taken from the working directory, as nats-server does.
/// </summary>
public static class OperatorJwtReader
{
    private const string JwtPrefix = "eyJ";

    /// <summary>The JWTs and their decoded operators, in order.</summary>
    public static (List<string> Jwts, List<OperatorClaims> Operators) Read(ConfValue value)
    {
        var items = value switch
        {
            ConfString s => [s],
            ConfList list => list.Select(item => item as ConfString
                ?? throw new ConfigException(item.Position, $"error parsing operators: unsupported type {item.Describe()} where string is expected")).ToList(),
            _ => throw new ConfigException(value.Position, $"error parsing operators: unsupported type {value.Describe()}"),
        };
        var jwts = new List<string>();
        var operators = new List<OperatorClaims>();
        foreach (var item in items)
        {
            try
            {
                var jwt = ReadOne(item.Value);
                operators.Add(JwtCodec.DecodeOperatorClaims(jwt));
                jwts.Add(jwt);
            }
            catch (Exception e) when (e is JwtException or IOException or UnauthorizedAccessException)
            {
                throw new ConfigException(item.Position, $"error parsing operator JWT: {e.Message}");
            }
        }
        return (jwts, operators);
    }

    private static string ReadOne(string fileOrJwt)
    {
        string contents;
        try
        {
            contents = File.ReadAllText(fileOrJwt);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            if (!fileOrJwt.StartsWith(JwtPrefix, StringComparison.Ordinal))
            {
                throw new IOException($"open {fileOrJwt}: no such file or directory", e);
            }
            contents = fileOrJwt;
        }
        return DecoratedJwt.Extract(contents);
    }
}
