using System.Buffers.Text;
using System.Text;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;

namespace Nats.AuthJwt.Tests.Jwt;

/// <summary>JWTs made by nsc / nats-io/jwt, decoded here: fields, signatures, jti and the exact payload bytes.</summary>
[CancelAfter(10_000)]
public sealed class OfficialVectorTests
{
    private static string OneUserJwt => File.ReadAllLines(OfficialVectors.VectorPath("one.creds"))[1];

    [Test]
    public void UserJwtFromCredsDecodesWithItsFields()
    {
        var user = JwtCodec.DecodeUserClaims(OneUserJwt);

        Assert.That(user.Subject, Is.EqualTo(OfficialVectors.OneUserKey));
        Assert.That(user.Issuer, Is.EqualTo(OfficialVectors.JsAccountOneKey));
        Assert.That(user.Name, Is.EqualTo("one"));
        Assert.That(user.IssuedAt, Is.EqualTo(1616247232));
        Assert.That(user.FormatVersion, Is.EqualTo(2));
        Assert.That(user.Nats.Subs, Is.EqualTo(-1));
        Assert.That(user.Nats.Data, Is.EqualTo(-1));
        Assert.That(user.Nats.Payload, Is.EqualTo(-1));
        Assert.That(user.Nats.Pub.IsEmpty && user.Nats.Sub.IsEmpty, Is.True);
        Assert.That(user.Nats.IssuerAccount, Is.Null);
    }

    [Test]
    public void OperatorAndAccountsOfTheSameSetupDecode()
    {
        var op = JwtCodec.DecodeOperatorClaims(OfficialVectors.JsOperatorJwt);
        var sys = JwtCodec.DecodeAccountClaims(OfficialVectors.JsSystemAccountJwt);
        var one = JwtCodec.DecodeAccountClaims(OfficialVectors.JsAccountOneJwt);

        Assert.That(op.Subject, Is.EqualTo(OfficialVectors.JsOperatorKey));
        Assert.That(op.IsSelfSigned, Is.True);
        Assert.That(op.Name, Is.EqualTo("js-test"));
        Assert.That(sys.Subject, Is.EqualTo(OfficialVectors.JsSystemAccountKey));
        Assert.That(sys.Issuer, Is.EqualTo(OfficialVectors.JsOperatorKey));
        Assert.That(sys.Nats.Limits.IsJetStreamEnabled, Is.False);
        Assert.That(one.Nats.Limits.IsJetStreamEnabled, Is.True);
        Assert.That(one.Nats.Limits.DiskStorage, Is.EqualTo(10737418240));
        Assert.That(one.Nats.Limits.Streams, Is.EqualTo(100));
        Assert.That(one.Nats.Limits.WildcardExports, Is.True);
        Assert.That(op.DidSign(one), Is.True);
        Assert.That(one.DidSign(JwtCodec.DecodeUserClaims(OneUserJwt)), Is.True);
    }

    [TestCase(nameof(OfficialVectors.JsOperatorJwt))]
    [TestCase(nameof(OfficialVectors.JsSystemAccountJwt))]
    [TestCase(nameof(OfficialVectors.JsAccountOneJwt))]
    [TestCase("one.creds")]
    public void JtiIsTheHashOfTheStandardClaims(string which)
    {
        var token = which == "one.creds" ? OneUserJwt : (string)typeof(OfficialVectors).GetField(which)!.GetValue(null)!;
        var claims = JwtCodec.Decode(token);
        var jti = claims.Id;
        claims.Id = null;

        Assert.That(JwtCodec.ComputeId(claims), Is.EqualTo(jti));
    }

    [TestCase(nameof(OfficialVectors.JsOperatorJwt))]
    [TestCase("one.creds")]
    public void PayloadReencodesToTheSameBytesAsGo(string which)
    {
        // Operator and user layouts have not changed since these were made, so the bytes must match.
        var token = which == "one.creds" ? OneUserJwt : (string)typeof(OfficialVectors).GetField(which)!.GetValue(null)!;
        var payload = Base64Url.DecodeFromChars(token.Split('.')[1]);

        var again = JwtCodec.SerializeClaims(JwtCodec.Decode(token));

        Assert.That(Encoding.UTF8.GetString(again), Is.EqualTo(Encoding.UTF8.GetString(payload)));
    }

    [Test]
    public void V1OperatorInADecoratedFileDecodes()
    {
        var text = File.ReadAllText(OfficialVectors.VectorPath("op.jwt"));
        var token = Nats.AuthJwt.Creds.DecoratedJwt.Extract(text);

        var op = JwtCodec.DecodeOperatorClaims(token);

        Assert.That(op.FormatVersion, Is.EqualTo(1));
        Assert.That(op.ClaimType, Is.EqualTo(ClaimTypes.Operator));
        Assert.That(op.Nats.Type, Is.EqualTo("operator"));
        Assert.That(op.Subject, Is.EqualTo(OfficialVectors.TestOperatorKey));
        Assert.That(op.Name, Is.EqualTo("Synadia Communications Inc."));
        Assert.That(op.Audience, Is.EqualTo("TESTS"));
        Assert.That(op.Nats.SigningKeys, Has.Count.EqualTo(3));
        using var signer = Nats.Core.Security.NKeyPair.FromSeed(OfficialVectors.TestOperatorSigningSeeds[0]);
        Assert.That(op.Nats.SigningKeys, Does.Contain(signer.PublicKey));
    }

    [Test]
    public void V1AccountsDecodeAndMigrate()
    {
        var account = JwtCodec.DecodeAccountClaims(OfficialVectors.PreloadAccount1Jwt);

        Assert.That(account.FormatVersion, Is.EqualTo(1));
        Assert.That(account.Subject, Is.EqualTo(OfficialVectors.PreloadAccount1Key));
        Assert.That(account.Issuer, Is.EqualTo(OfficialVectors.TestOperatorKey));
        Assert.That(account.Nats.Limits.IsEmpty, Is.True);
        Assert.That(account.Nats.SigningKeys, Is.Empty);
    }

    [Test]
    public void V1SignatureCoversThePayloadOnly()
    {
        // Same payload and signature under a v2 header: the v1 signature does not cover the header.
        var parts = OfficialVectors.PreloadAccount2Jwt.Split('.');
        var v2Header = Base64Url.EncodeToString("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}"u8);

        Assert.That(JwtCodec.DecodeAccountClaims(string.Join('.', v2Header, parts[1], parts[2])).Subject,
            Is.EqualTo(OfficialVectors.PreloadAccount2Key), "v1 payloads are verified over the payload whatever the header");
        var tampered = parts[1][..^2] + (parts[1][^2] == 'A' ? 'B' : 'A') + parts[1][^1];
        Assert.That(() => JwtCodec.Decode(string.Join('.', parts[0], tampered, parts[2])),
            Throws.TypeOf<JwtException>());
    }
}
