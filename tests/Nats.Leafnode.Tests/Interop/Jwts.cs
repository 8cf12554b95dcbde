using System.Text;
using System.Text.Json.Nodes;
using Nats.Core.Security;

namespace Nats.Leafnode.Tests.Interop;

/// <summary>
/// Operator, account and user JWTs signed as nats-io/jwt v2 does (ed25519-nkey over
/// "header.payload"), for running nats-server in operator mode, and the creds file a leaf
/// remote reads.
/// </summary>
public sealed class Jwts : IDisposable
{
    private readonly NKeyPair _operator = NKeyPair.Create(NKeyPrefix.Operator);
    private readonly NKeyPair _account = NKeyPair.Create(NKeyPrefix.Account);

    public Jwts()
    {
        OperatorJwt = Encode(_operator, _operator.PublicKey, "OP", new JsonObject { ["type"] = "operator", ["version"] = 2 });
        AccountJwt = Encode(_operator, _account.PublicKey, "ACC", new JsonObject
        {
            ["limits"] = new JsonObject { ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["imports"] = -1, ["exports"] = -1, ["wildcards"] = true, ["conn"] = -1, ["leaf"] = -1 },
            ["type"] = "account",
            ["version"] = 2,
        });
    }

    public string OperatorJwt { get; }

    public string AccountPublicKey => _account.PublicKey;

    public string AccountJwt { get; }

    /// <summary>A user of the account: its JWT and its key pair.</summary>
    public (string Jwt, NKeyPair Pair) User(string name)
    {
        var pair = NKeyPair.Create(NKeyPrefix.User);
        var jwt = Encode(_account, pair.PublicKey, name, new JsonObject
        {
            ["pub"] = new JsonObject(), ["sub"] = new JsonObject(), ["subs"] = -1, ["data"] = -1, ["payload"] = -1, ["type"] = "user", ["version"] = 2,
        });
        return (jwt, pair);
    }

    /// <summary>A creds file as nsc writes it.</summary>
    public static string CredsFile(string jwt, string seed) => $"""
        -----BEGIN NATS USER JWT-----
        {jwt}
        ------END NATS USER JWT------

        ************************* IMPORTANT *************************
        NKEY Seed printed below can be used to sign and prove identity.
        NKEYs are sensitive and should be treated as secrets.

        -----BEGIN USER NKEY SEED-----
        {seed}
        ------END USER NKEY SEED------

        *************************************************************

        """;

    /// <summary>The nats-server config lines for operator mode with this account preloaded.</summary>
    public string ServerConfig => $$"""
        operator: "{{OperatorJwt}}"
        resolver: MEMORY
        resolver_preload: { {{AccountPublicKey}}: "{{AccountJwt}}" }
        """;

    private static string Encode(NKeyPair issuer, string subject, string name, JsonObject nats)
    {
        var claims = new JsonObject
        {
            ["jti"] = Convert.ToHexString(Guid.NewGuid().ToByteArray()),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 5,
            ["iss"] = issuer.PublicKey,
            ["name"] = name,
            ["sub"] = subject,
            ["nats"] = nats,
        };
        var header = B64("""{"typ":"JWT","alg":"ed25519-nkey"}"""u8);
        var payload = B64(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signed = header + "." + payload;
        return signed + "." + B64(issuer.Sign(Encoding.ASCII.GetBytes(signed)));
    }

    private static string B64(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _operator.Dispose();
        _account.Dispose();
    }
}
