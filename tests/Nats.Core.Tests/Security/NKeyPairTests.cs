using Nats.Core.Security;

namespace Nats.Core.Tests.Security;

[TestFixture]
public class NKeyPairTests
{
    [Test]
    public void Sign_ReproducesTheGoSignatureOfAKnownJwt()
    {
        // Ed25519 is deterministic: re-signing what nsc signed must give the very same bytes.
        var (signed, expected) = NKeyVectors.SplitJwt(NKeyVectors.OperatorJwt);
        using var pair = NKeyPair.FromSeed(NKeyVectors.OperatorSeed);
        Assert.That(pair.PublicKey, Is.EqualTo(NKeyVectors.OperatorPublicKey));
        Assert.That(pair.Sign(signed), Is.EqualTo(expected));
    }

    [Test]
    public void Sign_MatchesRfc8032TestVector1()
    {
        var seed = Convert.FromHexString("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        using var pair = NKeyPair.FromRawSeed(NKeyPrefix.User, seed);
        Assert.That(NKeys.Decode(NKeyPrefix.User, pair.PublicKey),
            Is.EqualTo(Convert.FromHexString("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")));
        Assert.That(Convert.ToHexStringLower(pair.Sign([])), Is.EqualTo(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
    }

    [TestCase(NKeyPrefix.User, "U", "SU")]
    [TestCase(NKeyPrefix.Account, "A", "SA")]
    [TestCase(NKeyPrefix.Server, "N", "SN")]
    [TestCase(NKeyPrefix.Operator, "O", "SO")]
    [TestCase(NKeyPrefix.Cluster, "C", "SC")]
    public void Create_MakesAUsablePairOfTheRole(NKeyPrefix role, string keyStart, string seedStart)
    {
        using var pair = NKeyPair.Create(role);
        Assert.That(pair.Role, Is.EqualTo(role));
        Assert.That(pair.PublicKey, Does.StartWith(keyStart).And.Length.EqualTo(56));
        Assert.That(pair.Seed, Does.StartWith(seedStart).And.Length.EqualTo(58));
        Assert.That(NKeys.GetPrefix(pair.PublicKey), Is.EqualTo(role));

        using var restored = NKeyPair.FromSeed(pair.Seed);
        Assert.That(restored.PublicKey, Is.EqualTo(pair.PublicKey));

        var data = "hello"u8.ToArray();
        var sig = pair.Sign(data);
        Assert.That(sig, Has.Length.EqualTo(64));
        Assert.That(restored.Verify(data, sig), Is.True);
        Assert.That(NKeys.Verify(pair.PublicKey, data, sig), Is.True);
        Assert.That(NKeys.Verify(pair.PublicKey, "hellO"u8, sig), Is.False);
    }

    [Test]
    public void Create_IsRandom()
    {
        using var a = NKeyPair.Create(NKeyPrefix.Server);
        using var b = NKeyPair.Create(NKeyPrefix.Server);
        Assert.That(a.PublicKey, Is.Not.EqualTo(b.PublicKey));
    }

    [Test]
    public void Create_RefusesRolesThatAreNotKeyPairs()
    {
        Assert.That(() => NKeyPair.Create(NKeyPrefix.Seed), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeyPair.Create(NKeyPrefix.Private), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeyPair.Create(NKeyPrefix.Curve), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeyPair.FromRawSeed(NKeyPrefix.User, new byte[16]), Throws.TypeOf<NKeyException>());
    }

    [Test]
    public void FromSeed_RefusesPublicKeysAndCorruptSeeds()
    {
        Assert.That(() => NKeyPair.FromSeed(NKeyVectors.OperatorPublicKey), Throws.TypeOf<NKeyException>());
        var seed = NKeyVectors.OperatorSeed;
        var corrupt = seed[..^1] + (seed[^1] == 'A' ? 'B' : 'A');
        Assert.That(() => NKeyPair.FromSeed(corrupt), Throws.TypeOf<NKeyException>()
            .With.Message.EqualTo("nkeys: invalid checksum"));
    }

    [Test]
    public void PrivateKey_IsSeedFollowedByPublicKey()
    {
        using var pair = NKeyPair.FromSeed(NKeyVectors.OperatorSeed);
        var priv = pair.PrivateKey;
        Assert.That(priv, Does.StartWith("P"));
        var raw = NKeys.Decode(NKeyPrefix.Private, priv);
        Assert.That(raw[..32], Is.EqualTo(NKeys.DecodeSeed(NKeyVectors.OperatorSeed).RawSeed));
        Assert.That(raw[32..], Is.EqualTo(NKeys.Decode(NKeyPrefix.Operator, pair.PublicKey)));
    }

    [Test]
    public void Dispose_WipesTheSeedButKeepsVerifying()
    {
        var pair = NKeyPair.Create(NKeyPrefix.User);
        var sig = pair.Sign("x"u8);
        pair.Dispose();
        Assert.That(() => pair.Sign("x"u8), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => pair.Seed, Throws.TypeOf<ObjectDisposedException>());
        Assert.That(pair.Verify("x"u8, sig), Is.True);
    }
}
