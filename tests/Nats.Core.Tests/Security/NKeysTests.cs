using Nats.Core.Security;

namespace Nats.Core.Tests.Security;

[TestFixture]
public class NKeysTests
{
    [Test]
    public void Crc16_IsTheXmodemVariant()
    {
        // The CRC-16/XMODEM check value, and entries of nkeys' literal table (crc16.go).
        Assert.That(Crc16.Compute("123456789"u8), Is.EqualTo(0x31C3));
        Assert.That(Crc16.TableEntry(1), Is.EqualTo(0x1021));
        Assert.That(Crc16.TableEntry(0x10), Is.EqualTo(0x1231));
        Assert.That(Crc16.TableEntry(0x80), Is.EqualTo(0x9188));
        Assert.That(Crc16.TableEntry(0xFF), Is.EqualTo(0x1EF0));
    }

    [Test]
    public void Base32_MatchesRfc4648WithoutPadding()
    {
        // RFC 4648 section 10 vectors, padding removed.
        (string Plain, string Encoded)[] vectors =
            [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")];
        foreach (var (plain, encoded) in vectors)
        {
            var bytes = System.Text.Encoding.ASCII.GetBytes(plain);
            var chars = new char[Base32.EncodedLength(bytes.Length)];
            Base32.Encode(bytes, chars);
            Assert.That(new string(chars), Is.EqualTo(encoded));

            var back = new byte[Base32.MaxDecodedLength(encoded.Length)];
            Assert.That(Base32.TryDecode(encoded, back, out var n), Is.True);
            Assert.That(back[..n], Is.EqualTo(bytes));
        }
    }

    [Test]
    public void Base32_RejectsCharactersOutsideTheUpperCaseAlphabet()
    {
        var buffer = new byte[16];
        Assert.That(Base32.TryDecode("MZXW6yQ", buffer, out _), Is.False);
        Assert.That(Base32.TryDecode("MZXW61", buffer, out _), Is.False);
        Assert.That(Base32.TryDecode("MZXW6===", buffer, out _), Is.False);
    }

    [TestCaseSource(typeof(NKeyVectors), nameof(NKeyVectors.SeedToPublic))]
    public void KnownSeed_DerivesKnownPublicKey((string Seed, string PublicKey) vector)
    {
        using var pair = NKeyPair.FromSeed(vector.Seed);
        Assert.That(pair.PublicKey, Is.EqualTo(vector.PublicKey));
        Assert.That(pair.Seed, Is.EqualTo(vector.Seed), "seed re-encodes to the same text");
        Assert.That(NKeys.IsValidPublicKey(vector.PublicKey), Is.True);
    }

    [Test]
    public void EncodeDecode_RoundTripsEveryPublicRole()
    {
        var payload = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        var letters = new Dictionary<NKeyPrefix, char>
        {
            [NKeyPrefix.Account] = 'A', [NKeyPrefix.Cluster] = 'C', [NKeyPrefix.Server] = 'N',
            [NKeyPrefix.Operator] = 'O', [NKeyPrefix.User] = 'U', [NKeyPrefix.Curve] = 'X',
        };
        foreach (var (prefix, letter) in letters)
        {
            var encoded = NKeys.Encode(prefix, payload);
            Assert.That(encoded, Has.Length.EqualTo(56));
            Assert.That(encoded[0], Is.EqualTo(letter));
            Assert.That(NKeys.Decode(prefix, encoded), Is.EqualTo(payload));
            Assert.That(NKeys.GetPrefix(encoded), Is.EqualTo(prefix));
            Assert.That(NKeys.IsValidPublicKey(encoded), Is.True);
        }
    }

    [Test]
    public void EncodeSeed_PrintsSAndTheRoleLetter()
    {
        var raw = new byte[32];
        Assert.That(NKeys.EncodeSeed(NKeyPrefix.User, raw), Does.StartWith("SU"));
        Assert.That(NKeys.EncodeSeed(NKeyPrefix.Account, raw), Does.StartWith("SA"));
        Assert.That(NKeys.EncodeSeed(NKeyPrefix.Operator, raw), Does.StartWith("SO"));
        Assert.That(NKeys.EncodeSeed(NKeyPrefix.Server, raw), Does.StartWith("SN"));
        Assert.That(NKeys.EncodeSeed(NKeyPrefix.Cluster, raw), Does.StartWith("SC"));
        var seed = NKeys.EncodeSeed(NKeyPrefix.Server, raw);
        Assert.That(seed, Has.Length.EqualTo(58));
        var (role, decoded) = NKeys.DecodeSeed(seed);
        Assert.That(role, Is.EqualTo(NKeyPrefix.Server));
        Assert.That(decoded, Is.EqualTo(raw));
        Assert.That(NKeys.GetPrefix(seed), Is.EqualTo(NKeyPrefix.Seed));
    }

    [Test]
    public void EncodeSeed_RejectsNonPublicRolesAndBadLengths()
    {
        Assert.That(() => NKeys.EncodeSeed(NKeyPrefix.Seed, new byte[32]), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeys.EncodeSeed(NKeyPrefix.Private, new byte[32]), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeys.EncodeSeed(NKeyPrefix.User, new byte[31]), Throws.TypeOf<NKeyException>()
            .With.Message.EqualTo("nkeys: invalid seed length"));
        Assert.That(() => NKeys.Encode((NKeyPrefix)(3 << 3), new byte[32]), Throws.TypeOf<NKeyException>());
    }

    [Test]
    public void RoleChecks_AcceptOnlyTheirRole()
    {
        const string user = "UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3";
        const string account = NKeyVectors.UserJwtIssuer;
        const string op = NKeyVectors.OperatorPublicKey;
        using var server = NKeyPair.Create(NKeyPrefix.Server);
        using var cluster = NKeyPair.Create(NKeyPrefix.Cluster);

        Assert.That(NKeys.IsValidPublicUserKey(user), Is.True);
        Assert.That(NKeys.IsValidPublicUserKey(account), Is.False);
        Assert.That(NKeys.IsValidPublicAccountKey(account), Is.True);
        Assert.That(NKeys.IsValidPublicAccountKey(user), Is.False);
        Assert.That(NKeys.IsValidPublicOperatorKey(op), Is.True);
        Assert.That(NKeys.IsValidPublicOperatorKey(user), Is.False);
        Assert.That(NKeys.IsValidPublicServerKey(server.PublicKey), Is.True);
        Assert.That(NKeys.IsValidPublicServerKey(op), Is.False);
        Assert.That(NKeys.IsValidPublicClusterKey(cluster.PublicKey), Is.True);
        Assert.That(NKeys.IsValidPublicClusterKey(server.PublicKey), Is.False);
    }

    [Test]
    public void Seeds_AreNotPublicKeys()
    {
        const string seed = "SUAEL6RU3BSDAFKOHNTEOK5Q6FTM5FTAMWVIKBET6FHPO4JRII3CYELVNM";
        Assert.That(NKeys.IsValidEncoding(seed), Is.True);
        Assert.That(NKeys.IsValidPublicKey(seed), Is.False);
        Assert.That(NKeys.IsValidPublicUserKey(seed), Is.False);
        Assert.That(NKeys.TryDecodePublicKey(seed, out _), Is.False);
    }

    [Test]
    public void CorruptChecksum_IsRejected()
    {
        const string key = "UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3";
        // As nkeys' TestBadDecode: overwrite the last two characters.
        var bad = key[..^2] + "AA";
        Assert.That(NKeys.IsValidEncoding(bad), Is.False);
        Assert.That(NKeys.IsValidPublicKey(bad), Is.False);
        Assert.That(NKeys.IsValidPublicUserKey(bad), Is.False);
        Assert.That(() => NKeys.Decode(NKeyPrefix.User, bad), Throws.TypeOf<NKeyException>()
            .With.Message.EqualTo("nkeys: invalid checksum"));
        // A single flipped character in the payload as well.
        var flipped = key[..10] + (key[10] == 'A' ? 'B' : 'A') + key[11..];
        Assert.That(NKeys.IsValidPublicKey(flipped), Is.False);
        Assert.That(NKeys.GetPrefix(flipped), Is.EqualTo(NKeyPrefix.Unknown));
    }

    [Test]
    public void WrongOrUnknownPrefix_IsRejected()
    {
        const string account = NKeyVectors.UserJwtIssuer;
        Assert.That(() => NKeys.Decode(NKeyPrefix.User, account), Throws.TypeOf<NKeyException>()
            .With.Message.EqualTo("nkeys: invalid prefix byte"));
        Assert.That(() => NKeys.Decode((NKeyPrefix)(3 << 3), account), Throws.TypeOf<NKeyException>());

        // A well-formed encoding (good checksum) whose prefix byte is no role: 'D' = 3 << 3.
        var raw = new byte[35];
        raw[0] = 3 << 3;
        var crc = Crc16.Compute(raw.AsSpan(0, 33));
        raw[33] = (byte)crc;
        raw[34] = (byte)(crc >> 8);
        var chars = new char[Base32.EncodedLength(35)];
        Base32.Encode(raw, chars);
        var encoded = new string(chars);
        Assert.That(encoded[0], Is.EqualTo('D'));
        Assert.That(NKeys.IsValidEncoding(encoded), Is.True);
        Assert.That(NKeys.IsValidPublicKey(encoded), Is.False);
        Assert.That(NKeys.GetPrefix(encoded), Is.EqualTo(NKeyPrefix.Unknown));
    }

    [Test]
    public void Garbage_IsRejected()
    {
        Assert.That(NKeys.IsValidEncoding("foo!"), Is.False);
        Assert.That(NKeys.IsValidEncoding("OK"), Is.False, "too short");
        Assert.That(NKeys.IsValidEncoding(""), Is.False);
        Assert.That(NKeys.IsValidPublicKey("ucarks2e3kvb7yorl2dg34xlt7pucol2svm7yxv6ethlw6z46uuj2vz3"), Is.False, "lower case");
        Assert.That(NKeys.GetPrefix("not a key"), Is.EqualTo(NKeyPrefix.Unknown));
    }

    [Test]
    public void Decode_KeepsGoBase32Leniency()
    {
        // Go's base32 skips '\r' and '\n' and drops a trailing group of 1, 3 or 6 characters,
        // so nkeys (and therefore nats-server) accepts these spellings of a valid key.
        const string key = "UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3";
        Assert.That(NKeys.IsValidPublicUserKey(key[..20] + "\r\n" + key[20..]), Is.True);
        Assert.That(NKeys.IsValidPublicUserKey(key + "A"), Is.True);
        Assert.That(NKeys.IsValidPublicUserKey(key + "AB"), Is.False, "two characters make a byte, which breaks the checksum");
    }

    [Test]
    public void DecodeSeed_RejectsPublicKeysAndBadSeedRoles()
    {
        Assert.That(() => NKeys.DecodeSeed("UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3"),
            Throws.TypeOf<NKeyException>().With.Message.EqualTo("nkeys: invalid seed"));
        // nkeys' TestBadDecode: second letter 'S' is no role.
        var seed = NKeys.EncodeSeed(NKeyPrefix.Account, new byte[32]).ToCharArray();
        seed[1] = 'S';
        Assert.That(() => NKeys.DecodeSeed(new string(seed)), Throws.TypeOf<NKeyException>());
        Assert.That(() => NKeyPair.FromSeed(new string(seed)), Throws.TypeOf<NKeyException>());
    }

    [Test]
    public void Verify_KnownGoSignatures()
    {
        var (signed, sig) = NKeyVectors.SplitJwt(NKeyVectors.UserJwt);
        Assert.That(NKeys.Verify(NKeyVectors.UserJwtIssuer, signed, sig), Is.True);

        var (opSigned, opSig) = NKeyVectors.SplitJwt(NKeyVectors.OperatorJwt);
        Assert.That(NKeys.Verify(NKeyVectors.OperatorPublicKey, opSigned, opSig), Is.True);
    }

    [Test]
    public void Verify_FailsForAlteredDataSignatureOrKey()
    {
        var (signed, sig) = NKeyVectors.SplitJwt(NKeyVectors.UserJwt);
        var data = (byte[])signed.Clone();
        data[10] ^= 1;
        Assert.That(NKeys.Verify(NKeyVectors.UserJwtIssuer, data, sig), Is.False);

        var badSig = (byte[])sig.Clone();
        badSig[5] ^= 0x80;
        Assert.That(NKeys.Verify(NKeyVectors.UserJwtIssuer, signed, badSig), Is.False);
        Assert.That(NKeys.Verify(NKeyVectors.UserJwtIssuer, signed, sig[..63]), Is.False, "short signature");
        Assert.That(NKeys.Verify(NKeyVectors.OperatorPublicKey, signed, sig), Is.False, "another key");
        Assert.That(NKeys.Verify("not-a-key", signed, sig), Is.False);
    }
}
