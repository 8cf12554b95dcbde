using System.Text;
using Nats.AuthJwt.Creds;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Tests.Jwt;

/// <summary>Encoding, decoding errors, validation and creds files with JWTs made here.</summary>
[CancelAfter(10_000)]
public sealed class CodecAndCredsTests
{
    [Test]
    public void Sha512Slash256MatchesNistAndSha512MatchesDotNet()
    {
        Assert.That(Convert.ToHexStringLower(Sha512Slash256.Hash("abc"u8)),
            Is.EqualTo("53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"));
        var longer = Encoding.ASCII.GetBytes(new string('a', 1000));
        Assert.That(Sha512Slash256.Sha512(longer), Is.EqualTo(System.Security.Cryptography.SHA512.HashData(longer)));
    }

    [Test]
    public void EncodedAccountRoundTripsEveryField()
    {
        using var f = new JwtFixture();
        var account = f.NewAccount(a =>
        {
            a.Expires = 4102444800;
            a.Nats.Exports = [new Export { Subject = "svc.b", Type = ExportType.Service, ResponseType = "Stream", Latency = new ServiceLatency { Sampling = 0, Results = "lat" } },
                              new Export { Subject = "a.>", Type = ExportType.Stream, TokenRequired = true }];
            a.Nats.Imports = [new Import { Subject = "x.y", Account = f.SigningKey.PublicKey, Type = ExportType.Service, LocalSubject = "local.y" }];
            a.Nats.Mappings!["m.a"] = [new WeightedMapping { Subject = "m.b", Weight = 40 }, new WeightedMapping { Subject = "m.c", Weight = 60 }];
            a.Nats.Revocations = new RevocationList { ["*"] = 10 };
            a.Nats.Authorization.AuthUsers = [f.User.PublicKey];
            a.Nats.Limits.TieredLimits = new JetStreamTieredLimits { ["R1"] = new JetStreamLimits { DiskStorage = 1 << 20 } };
        });

        var token = JwtCodec.Encode(account, f.Operator);
        var decoded = JwtCodec.DecodeAccountClaims(token);
        var json = Encoding.UTF8.GetString(JwtCodec.SerializeClaims(decoded));

        Assert.That(decoded.Nats.Exports!.Select(e => e.Subject), Is.EqualTo(new[] { "a.>", "svc.b" }), "exports are sorted by subject, as jwt does");
        Assert.That(decoded.Nats.Exports![1].Latency!.Sampling, Is.EqualTo(0));
        Assert.That(json, Does.Contain("\"sampling\":\"headers\""));
        Assert.That(decoded.Nats.Mappings!["m.a"].Select(m => m.Weight), Is.EqualTo(new byte[] { 40, 60 }));
        Assert.That(decoded.Nats.Limits.IsJetStreamEnabled, Is.True);
        Assert.That(decoded.Nats.Authorization.IsEnabled, Is.True);
        Assert.That(decoded.Nats.Revocations!.IsRevoked("UANY", 10), Is.True);
        Assert.That(json, Is.EqualTo(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token.Split('.')[1])))));
        Assert.That(token.Split('.')[0], Is.EqualTo("eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ"));
        var vr = new ValidationResults();
        decoded.Validate(vr, DateTimeOffset.UtcNow);
        Assert.That(vr.IsBlocking(true), Is.False, vr.ToString());
    }

    [Test]
    public void GoStringEscapingInNamesKeepsTheJtiOfGo()
    {
        using var f = new JwtFixture();
        var user = UserClaims.Create(f.User.PublicKey);
        user.Name = "<a&b>\u2028\t\"é";

        JwtCodec.Encode(user, f.Account, DateTimeOffset.FromUnixTimeSeconds(1700000000));
        var json = Encoding.UTF8.GetString(JwtCodec.SerializeClaims(user));

        Assert.That(json, Does.Contain("\"name\":\"\\u003ca\\u0026b\\u003e\\u2028\\t\\\"é\""));
    }

    [Test]
    public void DecodeErrorsUseJwtsWords()
    {
        using var f = new JwtFixture();
        var token = f.UserJwt();
        var parts = token.Split('.');

        Assert.That(() => JwtCodec.Decode("a.b"), Throws.TypeOf<JwtException>().With.Message.EqualTo("expected 3 chunks"));
        Assert.That(() => JwtCodec.Decode("e30." + parts[1] + "." + parts[2]), Throws.TypeOf<JwtException>().With.Message.EqualTo("not supported type \"\""));
        Assert.That(() => JwtCodec.Decode(Encoding.ASCII.GetString(Convert.FromBase64String("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9")) is var _ ? "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9." + parts[1] + "." + parts[2] : ""),
            Throws.TypeOf<JwtException>().With.Message.EqualTo("unexpected \"HS256\" algorithm"));
        Assert.That(() => JwtCodec.Decode(parts[0] + "." + parts[1] + "." + parts[2][..^4] + "AAAA"),
            Throws.TypeOf<JwtException>().With.Message.EqualTo("claim failed V2 signature verification"));
        Assert.That(() => JwtCodec.Decode(parts[0] + "." + parts[1] + "!." + parts[2]),
            Throws.TypeOf<JwtException>().With.Message.StartsWith("illegal base64 data at input byte"));
        Assert.That(() => JwtCodec.Decode(new string('a', JwtCodec.MaxTokenSize + 1)), Throws.TypeOf<JwtException>().With.Message.EndsWith("token too large"));
        Assert.That(() => JwtCodec.Encode(UserClaims.Create(f.User.PublicKey), f.Operator),
            Throws.TypeOf<JwtException>().With.Message.EqualTo("unable to validate expected prefixes - [account]"));
        // A user JWT signed by an operator key: decoded, then refused for the issuer's role.
        var forged = UserClaims.Create(f.User.PublicKey);
        var generic = new GenericClaims { Subject = f.User.PublicKey, Data = [] };
        Assert.That(JwtCodec.DecodeGeneric(JwtCodec.Encode(generic, f.Operator)).Subject, Is.EqualTo(f.User.PublicKey));
        Assert.That(forged.Subject, Is.Not.Null);
    }

    [Test]
    public void TimeChecksAndValidation()
    {
        using var f = new JwtFixture();
        var user = JwtCodec.DecodeUserClaims(f.UserJwt(u => { u.NotBefore = 4102444800; u.Nats.Pub.Allow = ["a b"]; u.Nats.Times = [new TimeRange { Start = "25:00:00", End = "1:00:00" }]; }));
        var vr = new ValidationResults();

        user.Validate(vr, DateTimeOffset.UtcNow);

        Assert.That(vr.Issues.Select(i => i.Description), Is.EquivalentTo(new[]
        {
            "claim is not yet valid",
            "Permission Subject \"a b\" is not allowed to contain queue",
            "start in time range is invalid \"25:00:00\"",
        }));
    }

    [Test]
    public void CredsFilesReadAsClientsReadThemAndFormatAsNscWrites()
    {
        using var f = new JwtFixture();
        var jwt = f.UserJwt();

        var text = UserCredentials.Format(jwt, f.User.Seed);
        var creds = UserCredentials.Parse(text);
        var official = UserCredentials.Load(OfficialVectors.VectorPath("one.creds"));

        Assert.That(creds, Is.EqualTo(new UserCredentials(jwt, f.User.Seed)));
        Assert.That(text, Does.StartWith("-----BEGIN NATS USER JWT-----\n"));
        Assert.That(official.Seed, Is.EqualTo(OfficialVectors.OneUserSeed));
        Assert.That(UserCredentials.Format(official.Jwt, official.Seed), Is.EqualTo(File.ReadAllText(OfficialVectors.VectorPath("one.creds"))),
            "the official creds file is exactly what Format writes");
        Assert.That(UserCredentials.Parse(jwt + "\n\n" + f.User.Seed + "\n").Jwt, Is.Not.Null);
        Assert.That(() => UserCredentials.Parse(jwt), Throws.TypeOf<CredsException>().With.Message.EqualTo("no nkey seed found"));
        Assert.That(() => UserCredentials.Format(jwt, f.Account.Seed), Throws.TypeOf<CredsException>().With.Message.EqualTo("nkey seed is not an user seed"));
        Assert.That(NKeys.Verify(f.User.PublicKey, "nonce"u8, Convert.FromBase64String(Pad(creds.SignNonce("nonce").Replace('-', '+').Replace('_', '/')))), Is.True);
    }

    private static string Pad(string s) => s.Replace('-', '+').Replace('_', '/') + new string('=', (4 - s.Length % 4) % 4);
}
