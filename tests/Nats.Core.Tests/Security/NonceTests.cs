using System.Buffers.Text;
using Nats.Core.Security;

namespace Nats.Core.Tests.Security;

[TestFixture]
public class NonceTests
{
    [Test]
    public void Generate_Makes15UrlSafeCharactersFrom11RandomBytes()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            var nonce = Nonce.Generate();
            Assert.That(nonce, Has.Length.EqualTo(15));
            Assert.That(nonce, Does.Match("^[A-Za-z0-9_-]{15}$"));
            Assert.That(Base64Url.DecodeFromChars(nonce), Has.Length.EqualTo(11));
            seen.Add(nonce);
        }
        Assert.That(seen, Has.Count.EqualTo(50));
    }

    [Test]
    public void Generate_IntoBytesWritesAscii()
    {
        var buffer = new byte[16];
        Nonce.Generate(buffer);
        Assert.That(System.Text.Encoding.ASCII.GetString(buffer, 0, 15), Does.Match("^[A-Za-z0-9_-]{15}$"));
        Assert.That(buffer[15], Is.Zero, "writes exactly 15 bytes");
        Assert.That(() => Nonce.Generate(new byte[14]), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}

[TestFixture]
public class NonceSignatureTests
{
    private static readonly byte[] NonceBytes = "VA8pFCeIo4qk5bE"u8.ToArray();

    [Test]
    public void RawUrlSignature_AsClientsSendIt_Verifies()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        var sig = Base64Url.EncodeToString(user.Sign(NonceBytes));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, sig), Is.EqualTo(NonceSignatureResult.Verified));
    }

    [Test]
    public void PaddedStandardSignature_IsAcceptedByTheFallback()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        var sig = Convert.ToBase64String(user.Sign(NonceBytes));
        Assert.That(sig, Does.EndWith("=="));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, sig), Is.EqualTo(NonceSignatureResult.Verified));
    }

    [Test]
    public void NewlinesInsideTheSignature_AreIgnoredAsInGo()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        var sig = Base64Url.EncodeToString(user.Sign(NonceBytes));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, sig[..40] + "\r\n" + sig[40..]),
            Is.EqualTo(NonceSignatureResult.Verified));
    }

    [Test]
    public void SpellingsGoRejects_AreNotBase64()
    {
        // Find a signature whose encoding uses the characters that differ between the alphabets.
        using var user = NKeyPair.Create(NKeyPrefix.User);
        for (var i = 0; ; i++)
        {
            var nonce = System.Text.Encoding.ASCII.GetBytes($"nonce-{i:D9}");
            var raw = user.Sign(nonce);
            var std = Convert.ToBase64String(raw);
            var url = Base64Url.EncodeToString(raw);
            if (!std.Contains('+') || !std.Contains('/'))
            {
                continue;
            }
            Assert.That(NonceSignature.Verify(user.PublicKey, nonce, std.TrimEnd('=')),
                Is.EqualTo(NonceSignatureResult.SignatureNotBase64), "standard alphabet without padding");
            Assert.That(NonceSignature.Verify(user.PublicKey, nonce, url + "=="),
                Is.EqualTo(NonceSignatureResult.SignatureNotBase64), "URL alphabet with padding");
            Assert.That(NonceSignature.Verify(user.PublicKey, nonce, url + " "),
                Is.EqualTo(NonceSignatureResult.SignatureNotBase64), "spaces are not skipped");
            Assert.That(NonceSignature.Verify(user.PublicKey, nonce, std + "AAAA"),
                Is.EqualTo(NonceSignatureResult.SignatureNotBase64), "data after padding");
            Assert.That(NonceSignature.Verify(user.PublicKey, nonce, url),
                Is.EqualTo(NonceSignatureResult.Verified));
            break;
        }
    }

    [Test]
    public void MissingSignature()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, null), Is.EqualTo(NonceSignatureResult.SignatureMissing));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, ""), Is.EqualTo(NonceSignatureResult.SignatureMissing));
    }

    [Test]
    public void BadSignatures()
    {
        using var user = NKeyPair.Create(NKeyPrefix.User);
        using var other = NKeyPair.Create(NKeyPrefix.User);
        // nats-server's TestNkeyClientConnect sends "bad_sig": valid raw-URL base64, wrong signature.
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, "bad_sig"), Is.EqualTo(NonceSignatureResult.SignatureNotVerified));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, "@@@@"), Is.EqualTo(NonceSignatureResult.SignatureNotBase64));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, "A"), Is.EqualTo(NonceSignatureResult.SignatureNotBase64));

        var otherSig = Base64Url.EncodeToString(other.Sign(NonceBytes));
        Assert.That(NonceSignature.Verify(user.PublicKey, NonceBytes, otherSig), Is.EqualTo(NonceSignatureResult.SignatureNotVerified));

        var sig = Base64Url.EncodeToString(user.Sign(NonceBytes));
        Assert.That(NonceSignature.Verify(user.PublicKey, "VA8pFCeIo4qk5bF"u8, sig), Is.EqualTo(NonceSignatureResult.SignatureNotVerified));
        Assert.That(NonceSignature.Verify("UBAD", NonceBytes, sig), Is.EqualTo(NonceSignatureResult.InvalidPublicKey));
        Assert.That(NonceSignature.Verify(user.Seed, NonceBytes, sig), Is.EqualTo(NonceSignatureResult.InvalidPublicKey));
    }

    [Test]
    public void GoBase64_IgnoresUnusedTrailingBits()
    {
        // Non-strict Go decoding: "QQ" and "QR" both decode to "A".
        Assert.That(NonceSignature.TryDecode("QQ", out var a), Is.True);
        Assert.That(NonceSignature.TryDecode("QR", out var b), Is.True);
        Assert.That(a, Is.EqualTo("A"u8.ToArray()));
        Assert.That(b, Is.EqualTo("A"u8.ToArray()));
        Assert.That(NonceSignature.TryDecode("QQ==", out var c), Is.True, "standard fallback");
        Assert.That(c, Is.EqualTo("A"u8.ToArray()));
        Assert.That(NonceSignature.TryDecode("Q===", out _), Is.False);
        Assert.That(NonceSignature.TryDecode("QQ=", out _), Is.False);
    }
}
