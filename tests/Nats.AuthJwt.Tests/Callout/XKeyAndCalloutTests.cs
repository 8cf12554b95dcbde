using System.Text;
using Nats.AuthJwt.Callout;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Tests.Callout;

/// <summary>xkey sealing against NaCl's published box vector, and the auth callout request/response wire pieces.</summary>
[CancelAfter(10_000)]
public sealed class XKeyAndCalloutTests
{
    // The crypto_box known-answer vector of NaCl ("Cryptography in NaCl", tests/box.c), also in libsodium's test suite.
    private const string AliceSecret = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";
    private const string BobSecret = "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb";
    private const string Nonce = "69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37";
    private const string Message =
        "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31"
        + "0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705";
    private const string Box =
        "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972"
        + "71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74e355a5";

    [Test]
    public void SealMatchesNaClsKnownAnswerAndOpens()
    {
        using var alice = XKeyPair.FromRawSeed(Convert.FromHexString(AliceSecret));
        using var bob = XKeyPair.FromRawSeed(Convert.FromHexString(BobSecret));

        var sealedMessage = alice.Seal(Convert.FromHexString(Message), bob.PublicKey, Convert.FromHexString(Nonce));

        Assert.That(Encoding.ASCII.GetString(sealedMessage, 0, 4), Is.EqualTo("xkv1"));
        Assert.That(Convert.ToHexStringLower(sealedMessage.AsSpan(4, 24)), Is.EqualTo(Nonce));
        Assert.That(Convert.ToHexStringLower(sealedMessage.AsSpan(28)), Is.EqualTo(Box));
        Assert.That(Convert.ToHexStringLower(bob.Open(sealedMessage, alice.PublicKey)), Is.EqualTo(Message));
        Assert.That(bob.PublicKey, Does.StartWith("X"));
        Assert.That(XKeyPair.FromSeed(bob.Seed).PublicKey, Is.EqualTo(bob.PublicKey));
    }

    [Test]
    public void OpenRefusesTamperedWrongVersionAndWrongSender()
    {
        using var a = XKeyPair.Create();
        using var b = XKeyPair.Create();
        using var c = XKeyPair.Create();
        var sealedMessage = a.Seal("hello xkeys"u8, b.PublicKey);

        var tampered = (byte[])sealedMessage.Clone();
        tampered[^1] ^= 1;
        var wrongVersion = (byte[])sealedMessage.Clone();
        wrongVersion[3] = (byte)'2';

        Assert.That(Encoding.ASCII.GetString(b.Open(sealedMessage, a.PublicKey)), Is.EqualTo("hello xkeys"));
        Assert.That(() => b.Open(tampered, a.PublicKey), Throws.TypeOf<NKeyException>().With.Message.EqualTo("nkeys: could not decrypt input"));
        Assert.That(() => b.Open(wrongVersion, a.PublicKey), Throws.TypeOf<NKeyException>().With.Message.EqualTo("nkeys: encrypted input wrong version"));
        Assert.That(() => b.Open(sealedMessage, c.PublicKey), Throws.TypeOf<NKeyException>());
        Assert.That(() => b.Open(sealedMessage.AsSpan(0, 28), a.PublicKey), Throws.TypeOf<NKeyException>().With.Message.EqualTo("nkeys: encrypted input is not valid"));
    }

    [Test]
    public void SealedRequestAndResponseRoundTrip()
    {
        using var server = NKeyPair.Create(NKeyPrefix.Server);
        using var serverX = XKeyPair.Create();
        using var serviceX = XKeyPair.Create();
        using var issuer = NKeyPair.Create(NKeyPrefix.Account);
        var now = DateTimeOffset.UtcNow;
        var input = new AuthorizationRequestInput
        {
            Subject = issuer.PublicKey,
            Server = new ServerId { Name = "s1", Host = "127.0.0.1", Id = server.PublicKey, Version = "2.11.0" },
            Client = new ClientInformation { Host = "127.0.0.1", Id = 7, Kind = "Client", Type = "nats" },
            Connect = new CalloutConnectOptions { Username = "bob", Password = "pw", Protocol = 1 },
            ServiceXKey = serviceX.PublicKey,
        };

        var request = AuthorizationRequestBuilder.Build(input, server, serverX, now);

        // The service's side: open, decode, answer for the requested user key, seal back.
        Assert.That(request.XKeyHeader, Is.EqualTo(serverX.PublicKey));
        var requestJwt = Encoding.ASCII.GetString(serviceX.Open(request.Payload, request.XKeyHeader!));
        var claims = JwtCodec.DecodeAuthorizationRequestClaims(requestJwt);
        Assert.That(claims.Audience, Is.EqualTo("nats-authorization-request"));
        Assert.That(claims.Issuer, Is.EqualTo(server.PublicKey));
        Assert.That(claims.Nats.UserNKey, Is.EqualTo(request.UserNKey));
        Assert.That(claims.Nats.ConnectOptions.Password, Is.EqualTo("pw"));
        Assert.That(claims.Nats.Server.XKey, Is.EqualTo(serverX.PublicKey));
        Assert.That(claims.Expires, Is.EqualTo((now + TimeSpan.FromSeconds(2)).ToUnixTimeSeconds()));
        var user = UserClaims.Create(request.UserNKey);
        user.Audience = "APP";
        user.Nats.Pub.Allow = ["app.>"];
        var response = new AuthorizationResponseClaims { Subject = request.UserNKey, Audience = server.PublicKey };
        response.Nats.Jwt = JwtCodec.Encode(user, issuer);
        var reply = serviceX.Seal(Encoding.ASCII.GetBytes(JwtCodec.Encode(response, issuer)), serverX.PublicKey);

        var decoded = AuthorizationResponseDecoder.Decode(reply, "$G", request.UserNKey, server.PublicKey, serverX, serviceX.PublicKey, null, now);

        Assert.That(decoded.WasSealed, Is.True);
        Assert.That(decoded.User.Nats.Pub.Allow, Is.EqualTo(new[] { "app.>" }));
        Assert.That(decoded.User.Audience, Is.EqualTo("APP"));
    }

    [Test]
    public void ResponsesThatDenyOrDoNotMatch()
    {
        using var server = NKeyPair.Create(NKeyPrefix.Server);
        using var account = NKeyPair.Create(NKeyPrefix.Account);
        using var userKey = NKeyPair.Create(NKeyPrefix.User);
        var now = DateTimeOffset.UtcNow;
        byte[] Reply(Action<AuthorizationResponseClaims> configure)
        {
            var r = new AuthorizationResponseClaims { Subject = userKey.PublicKey, Audience = server.PublicKey };
            configure(r);
            return Encoding.ASCII.GetBytes(JwtCodec.Encode(r, account));
        }
        string Reason(byte[] payload, Func<string, bool>? known = null)
        {
            try
            {
                AuthorizationResponseDecoder.Decode(payload, account.PublicKey, userKey.PublicKey, server.PublicKey, null, null, known, now);
                return "accepted";
            }
            catch (CalloutException e)
            {
                return e.Message;
            }
        }

        Assert.That(Reason([]), Is.EqualTo($"auth callout violation: \"no reason supplied\" on account \"{account.PublicKey}\""));
        Assert.That(Reason(Reply(r => r.Nats.Error = "no such user")), Is.EqualTo("auth callout service returned an error: no such user"));
        Assert.That(Reason(Reply(_ => { })), Is.EqualTo("authorization response had validation errors: Error or Jwt is required"));
        Assert.That(Reason(Reply(r => { r.Nats.Jwt = "x"; r.Audience = "NOTME"; })), Does.StartWith("authorization response had validation errors: Audience must be a server public key"));
        Assert.That(Reason(Reply(r => { r.Nats.Jwt = JwtCodec.Encode(UserClaims.Create(userKey.PublicKey), account); r.Subject = NKeyPair.Create(NKeyPrefix.User).PublicKey; })),
            Is.EqualTo("auth callout violation: auth callout response is not for expected user"));
        using var other = NKeyPair.Create(NKeyPrefix.Account);
        var bySigningKey = Encoding.ASCII.GetBytes(JwtCodec.Encode(
            new AuthorizationResponseClaims { Subject = userKey.PublicKey, Audience = server.PublicKey, Nats = { Jwt = JwtCodec.Encode(UserClaims.Create(userKey.PublicKey), account) } }, other));
        Assert.That(Reason(bySigningKey, _ => false), Is.EqualTo("auth callout signing key is unknown"));
        Assert.That(Reason(bySigningKey, k => k == other.PublicKey), Is.EqualTo("accepted"));
    }
}
