using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// One operator setup (JWTs from the plugin's codec) given to Debian's nats-server 2.9.10 and to
/// this server: both accept the config, and every client gets the same outcome. That the reference
/// server admits the good user proves the JWTs and creds are real.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class ReferenceServerTests
{
    [Test]
    public async Task The_reference_server_and_this_one_treat_the_same_users_alike()
    {
        ReferenceServer.RequireInstalled();
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var revoked = setup.NewUser(account, "revoked", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Revocations = new RevocationList();
            a.Nats.Revocations.Revoke(revoked.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1));
            a.Nats.Limits.Subs = 2;
        });
        var users = new (string What, TestUser User)[]
        {
            ("good", setup.NewUser(account, "good")),
            ("revoked", revoked),
            ("expired", setup.NewUser(account, "expired", u => u.Expires = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds())),
            ("unknown account", setup.NewUser(setup.NewAccount("unknown"), "stranger")),
            ("wrong source network", setup.NewUser(account, "remote", u => u.Nats.Src = ["10.99.0.0/16"])),
            ("publish denied", setup.NewUser(account, "reader", u => u.Nats.Pub = new Permission { Allow = ["allowed.>"] })),
        };

        var referencePort = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync(setup.MemoryConfig(referencePort, accountJwt), referencePort);
        var expected = await OutcomesAsync(referencePort, users);

        await using var ours = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), accountJwt));
        var actual = await OutcomesAsync(ours.Port, users);

        Assert.That(actual, Is.EqualTo(expected));
        Assert.That(expected["good"], Is.EqualTo("PONG | sub 3: -ERR 'maximum subscriptions exceeded'"), "the reference server admits the generated user");
        Assert.That(expected["revoked"], Is.EqualTo("-ERR 'Authorization Violation'"));
    }

    /// <summary>What each user sees: PONG after CONNECT (then a probe) or the error the server closes with.</summary>
    private static async Task<Dictionary<string, string>> OutcomesAsync(int port, (string What, TestUser User)[] users)
    {
        var outcomes = new Dictionary<string, string>();
        foreach (var (what, user) in users)
        {
            await using var raw = await RawClient.ConnectAsync(port);
            await raw.SendAsync(user.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
            var first = await raw.ReadLineAsync();
            if (first != "PONG")
            {
                outcomes[what] = first;
                continue;
            }
            outcomes[what] = what switch
            {
                "publish denied" => "PONG | " + await ProbeAsync(raw, "PUB denied.x 2\r\nhi\r\nPING\r\n"),
                _ => "PONG | sub 3: " + await ProbeAsync(raw, "SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nPING\r\n"),
            };
        }
        return outcomes;
    }

    private static async Task<string> ProbeAsync(RawClient raw, string commands)
    {
        await raw.SendAsync(commands);
        var line = await raw.ReadLineAsync();
        return line;
    }
}
