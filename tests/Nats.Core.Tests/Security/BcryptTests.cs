using Nats.Core.Security;
using Org.BouncyCastle.Crypto.Generators;

namespace Nats.Core.Tests.Security;

[TestFixture]
public class BcryptTests
{
    /// <summary>(password, hash) pairs made by Go's x/crypto/bcrypt, from nats-server's tests and configs.</summary>
    public static readonly (string Password, string Hash)[] GoHashes =
    [
        ("IW@$6v(y1(t@fhPDvf!5^%", "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq"), // test/auth_test.go
        ("0uhJOSr3GW7xvHvtd^K6pa", "$2a$04$u5ZClXpcjHgpfc61Ee0VKuwI1K3vTC4zq7SjphjnlHMeb1Llkb5Y6"), // test/auth_test.go (token)
        ("test", "$2a$05$3sSWEVA1eMCbV0hWavDjXOx.ClBjI6u1CuUdLqf22cbJjXsnzz8/."),                   // test/client_auth_test.go
        ("foo", "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK"),                     // test/configs/authorization.conf
    ];

    /// <summary>The Openwall crypt_blowfish vectors (OpenBSD-compatible "$2a$").</summary>
    public static readonly (string Password, string Hash)[] OpenwallHashes =
    [
        ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
        ("U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a"),
        ("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
        ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored",
            "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui"),
    ];

    [TestCaseSource(nameof(GoHashes))]
    [TestCaseSource(nameof(OpenwallHashes))]
    public void Verify_KnownHashes((string Password, string Hash) vector)
    {
        Assert.That(Bcrypt.IsBcrypt(vector.Hash), Is.True);
        Assert.That(Bcrypt.Verify(vector.Password, vector.Hash), Is.True);
        Assert.That(Bcrypt.Verify("x" + vector.Password, vector.Hash), Is.False);
        // nats-server's TestBadBcryptPassword: sending the hash itself must fail.
        Assert.That(Bcrypt.Verify(vector.Hash, vector.Hash), Is.False);
    }

    [Test]
    public void Verify_OnlyTheFirst72BytesCount()
    {
        var (password, hash) = OpenwallHashes[^1];
        Assert.That(Bcrypt.Verify(password[..72], hash), Is.True);
        Assert.That(Bcrypt.Verify(password[..72] + "anything else", hash), Is.True);
        Assert.That(Bcrypt.Verify(password[..71], hash), Is.False);
    }

    [TestCase("$2b$")]
    [TestCase("$2x$")]
    [TestCase("$2y$")]
    public void Verify_TreatsEveryMinorVersionAlikeAsGoDoes(string version)
    {
        var (password, hash) = GoHashes[3];
        var other = version + hash[4..];
        Assert.That(Bcrypt.IsBcrypt(other), Is.True);
        Assert.That(Bcrypt.Verify(password, other), Is.True);
        Assert.That(Bcrypt.Verify("bar", other), Is.False);
    }

    [Test]
    public void Verify_ComparesOnlyThe31HashCharactersLikeGo()
    {
        var (password, hash) = GoHashes[3];
        Assert.That(Bcrypt.Verify(password, hash + "trailing"), Is.True, "Go's fixed 60-byte buffer drops the rest");
        Assert.That(Bcrypt.Verify(password, hash[..59]), Is.False, "one character short");
    }

    [Test]
    public void Verify_RefusesMalformedHashesWithoutThrowing()
    {
        var (password, hash) = GoHashes[3];
        Assert.That(Bcrypt.Verify(password, ""), Is.False);
        Assert.That(Bcrypt.Verify(password, "$2a$04$tooshort"), Is.False);
        Assert.That(Bcrypt.Verify(password, "$3a" + hash[3..]), Is.False, "version too new");
        Assert.That(Bcrypt.Verify(password, "$2a$03" + hash[6..]), Is.False, "cost below 4");
        Assert.That(Bcrypt.Verify(password, "$2a$32" + hash[6..]), Is.False, "cost above 31");
        Assert.That(Bcrypt.Verify(password, "$2a$x4" + hash[6..]), Is.False, "cost not a number");
        Assert.That(Bcrypt.Verify(password, hash[..10] + "!" + hash[11..]), Is.False, "salt outside the alphabet");
        Assert.That(Bcrypt.Verify(password, hash[..^1] + (hash[^1] == 'K' ? 'L' : 'K')), Is.False, "hash altered");
    }

    [Test]
    public void Hash_ProducesGoStyleHashesThatVerify()
    {
        var hash = Bcrypt.Hash("s3cr3t!", 4);
        Assert.That(hash, Does.Match(@"^\$2a\$04\$[./A-Za-z0-9]{53}$"));
        Assert.That(Bcrypt.IsBcrypt(hash), Is.True);
        Assert.That(Bcrypt.Verify("s3cr3t!", hash), Is.True);
        Assert.That(Bcrypt.Verify("s3cr3t?", hash), Is.False);
        Assert.That(Bcrypt.Hash("s3cr3t!", 4), Is.Not.EqualTo(hash), "random salt");
        // An independent implementation agrees (BouncyCastle's OpenBSD string format, test-only).
        Assert.That(OpenBsdBCrypt.CheckPassword(hash, "s3cr3t!".ToCharArray()), Is.True);
        Assert.That(Bcrypt.Hash("ü€", 5), Does.StartWith("$2a$05$"));
    }

    [Test]
    public void Hash_RefusesBadCostAndOverlongPasswords()
    {
        Assert.That(() => Bcrypt.Hash("x", 3), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => Bcrypt.Hash("x", 32), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => Bcrypt.Hash(new string('a', 73), 4), Throws.ArgumentException);
        Assert.That(Bcrypt.Verify(new string('a', 72), Bcrypt.Hash(new string('a', 72), 4)), Is.True);
    }

    [TestCase("$2a$04$Q.CgCP2Sl9pkcTXEZHazae", true)]
    [TestCase("$2b$10$", true)]
    [TestCase("$2x$31$x", true)]
    [TestCase("$2y$99$", true)]
    [TestCase("$2c$10$abc", false)]
    [TestCase("$2A$10$abc", false)]
    [TestCase("$2a$1$abc", false)]
    [TestCase("$2a$10abc", false)]
    [TestCase("$2a$1x$abc", false)]
    [TestCase("$2a$\u0661\u0660$abc", false)]
    [TestCase("2a$10$abc", false)]
    [TestCase("$2a$10", false)]
    [TestCase("password", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsBcrypt_FollowsTheServerRegex(string? value, bool expected) =>
        Assert.That(Bcrypt.IsBcrypt(value), Is.EqualTo(expected));
}

[TestFixture]
public class PasswordVerifierTests
{
    [Test]
    public void PlainPasswords_CompareExactly()
    {
        Assert.That(PasswordVerifier.Verify("s3cret", "s3cret"), Is.True);
        Assert.That(PasswordVerifier.Verify("s3cret", "s3creT"), Is.False);
        Assert.That(PasswordVerifier.Verify("s3cret", "s3cret "), Is.False);
        Assert.That(PasswordVerifier.Verify("s3cret", null), Is.False);
        Assert.That(PasswordVerifier.Verify("", null), Is.True, "Go compares empty with empty as equal");
        // Not a bcrypt prefix by the server's rule, so compared as text.
        Assert.That(PasswordVerifier.Verify("$2c$04$abc", "$2c$04$abc"), Is.True);
    }

    [Test]
    public void BcryptPasswords_AreCheckedWithBcrypt()
    {
        const string hash = "$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK";
        Assert.That(PasswordVerifier.Verify(hash, "foo"), Is.True);
        Assert.That(PasswordVerifier.Verify(hash, "bar"), Is.False);
        Assert.That(PasswordVerifier.Verify(hash, hash), Is.False);
    }
}
