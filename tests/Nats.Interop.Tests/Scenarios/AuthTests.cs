using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests.Scenarios;

/// <summary>
/// For each auth method: the right credentials connect and carry a message; wrong and missing
/// credentials are refused with the server's "Authorization Violation" error.
/// </summary>
[CancelAfter(BudgetMs)]
public sealed class AuthTests : InteropTest
{
    private const string Violation = "Authorization Violation";

    [Test]
    public async Task Token([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync("authorization {\n  token: \"interop-s3cr3t-token\"\n}\n");

        var result = await Scope.RunClientAsync(client, "auth", Args(
            ("servers", server.Url), ("mode", "token"),
            ("token", "interop-s3cr3t-token"), ("bad_token", "not-the-token")));

        AssertAuthOutcome(result);
    }

    [Test]
    public async Task UserAndPassword([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync("authorization {\n  user: alice\n  password: \"wonder-land\"\n}\n");

        var result = await Scope.RunClientAsync(client, "auth", Args(
            ("servers", server.Url), ("mode", "user"),
            ("user", "alice"), ("pass", "wonder-land"), ("bad_pass", "looking-glass")));

        AssertAuthOutcome(result);
    }

    [Test]
    public async Task NKey([Values] ClientKind client)
    {
        var server = await Scope.StartServerAsync(
            $"authorization {{\n  users: [\n    {{ nkey: {TestNKeys.Authorized.PublicKey} }}\n  ]\n}}\n");

        var result = await Scope.RunClientAsync(client, "auth", Args(
            ("servers", server.Url), ("mode", "nkey"),
            ("nkey_pub", TestNKeys.Authorized.PublicKey),
            ("nkey_seed_file", TestNKeys.WriteSeed(TestNKeys.Authorized, Scope.Dir, "user.nk")),
            ("bad_nkey_pub", TestNKeys.Unknown.PublicKey),
            ("bad_nkey_seed_file", TestNKeys.WriteSeed(TestNKeys.Unknown, Scope.Dir, "unknown.nk"))));

        AssertAuthOutcome(result);
    }

    private static void AssertAuthOutcome(ScenarioResult result)
    {
        result.AssertOk();
        Assert.Multiple(() =>
        {
            Assert.That(result.Bool("good_roundtrip"), Is.True, "a message on the authenticated connection: " + result.RawLine);
            Assert.That(result.String("bad_error"), Does.Contain(Violation).IgnoreCase, "wrong credentials: " + result.RawLine);
            Assert.That(result.String("none_error"), Does.Contain(Violation).IgnoreCase, "no credentials: " + result.RawLine);
        });
    }
}
