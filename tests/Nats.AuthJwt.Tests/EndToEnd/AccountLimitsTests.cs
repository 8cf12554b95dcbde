using System.Text.Json;
using Nats.AuthJwt.Jwt.Claims;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// An account JWT's <c>conn</c>, <c>payload</c> and <c>subs</c> limits with raw creds clients, at
/// connect and after an update pushed over <c>$SYS</c> (nats-server's <c>registerWithAccount</c>,
/// <c>applyAccountLimits</c> and <c>updateAccountClaimsWithRefresh</c>), each scenario run on this
/// server and on nats-server 2.9.10 with the same outcome.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class AccountLimitsTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1.5);

    [Test]
    public async Task Conn_refuses_the_extra_connection_and_a_lowered_limit_keeps_the_newest()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("CONN");
        var users = Enumerable.Range(1, 5).Select(i => setup.NewUser(account, "u" + i)).ToArray();
        var initial = setup.AccountJwt(account, a => a.Nats.Limits.Conn = 3, DateTimeOffset.UtcNow.AddSeconds(-5));

        async Task<List<string>> Scenario(int port)
        {
            var seen = new List<string>();
            var clients = new List<RawClient>();
            try
            {
                for (var i = 0; i < 4; i++)
                {
                    var (client, first) = await ReferenceParity.LoginAsync(port, users[i]);
                    clients.Add(client);
                    seen.Add($"u{i + 1}: {first}");
                    // Distinct start times: the lowered limit keeps the newest.
                    await Task.Delay(20);
                }
                seen.Add("u4 then: " + await EndingAsync(clients[3]));
                seen.Add("update: " + await setup.PushAsync(port, setup.AccountJwt(account, a => a.Nats.Limits.Conn = 1)));
                seen.Add("u2 then: " + await EndingAsync(clients[1]));
                seen.Add("u1 then: " + await EndingAsync(clients[0]));
                await clients[2].SendAsync("PING\r\n");
                seen.Add("u3 then: " + await clients[2].ReadLineAsync());
                var (late, lateFirst) = await ReferenceParity.LoginAsync(port, users[4]);
                clients.Add(late);
                seen.Add("u5: " + lateFirst);
            }
            finally
            {
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(port => setup.MemoryConfig(port, initial), Scenario);
        Assert.That(ours, Is.EqualTo(new[]
        {
            "u1: PONG", "u2: PONG", "u3: PONG",
            "u4: -ERR 'maximum account active connections exceeded'",
            "u4 then: [closed]",
            "update: jwt updated",
            "u2 then: -ERR 'maximum account active connections exceeded' [closed]",
            "u1 then: -ERR 'maximum account active connections exceeded' [closed]",
            "u3 then: PONG",
            "u5: -ERR 'maximum account active connections exceeded'",
        }));
        AssertSameAsReference(ours, reference);
    }

    [Test]
    public async Task Payload_is_announced_in_INFO_enforced_and_lowered_by_an_update()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("PAY");
        var plain = setup.NewUser(account, "plain");
        var smaller = setup.NewUser(account, "smaller", u => u.Nats.Payload = 20);
        var live = setup.NewUser(account, "live");
        var initial = setup.AccountJwt(account, a => a.Nats.Limits.Payload = 100, DateTimeOffset.UtcNow.AddSeconds(-5));

        async Task<List<string>> Scenario(int port)
        {
            var seen = new List<string>();
            var (c1, first) = await ReferenceParity.LoginAsync(port, plain);
            await using (c1)
            {
                seen.Add("plain: " + first + " " + Announced(await c1.ReadLineAsync()));
                await c1.SendAsync($"PUB x 100\r\n{new string('a', 100)}\r\nPING\r\n");
                seen.Add("plain 100 bytes: " + await c1.ReadLineAsync());
                await c1.SendAsync($"PUB x 101\r\n{new string('a', 101)}\r\nPING\r\n");
                seen.Add("plain 101 bytes: " + await EndingAsync(c1));
            }
            var (c2, first2) = await ReferenceParity.LoginAsync(port, smaller);
            await using (c2)
            {
                seen.Add("smaller: " + first2 + " " + Announced(await c2.ReadLineAsync()));
                await c2.SendAsync($"PUB x 21\r\n{new string('a', 21)}\r\nPING\r\n");
                seen.Add("smaller 21 bytes: " + await EndingAsync(c2));
            }
            var (c3, first3) = await ReferenceParity.LoginAsync(port, live);
            await using (c3)
            {
                seen.Add("live: " + first3 + " " + Announced(await c3.ReadLineAsync()));
                seen.Add("update: " + await setup.PushAsync(port, setup.AccountJwt(account, a => a.Nats.Limits.Payload = 50)));
                await c3.SendAsync($"PUB x 60\r\n{new string('a', 60)}\r\nPING\r\n");
                seen.Add("live 60 bytes: " + await EndingAsync(c3));
            }
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(port => setup.MemoryConfig(port, initial), Scenario);
        Assert.That(ours, Is.EqualTo(new[]
        {
            "plain: PONG INFO max_payload=100",
            "plain 100 bytes: PONG",
            "plain 101 bytes: -ERR 'Maximum Payload Violation' [closed]",
            "smaller: PONG INFO max_payload=20",
            "smaller 21 bytes: -ERR 'Maximum Payload Violation' [closed]",
            "live: PONG INFO max_payload=100",
            "update: jwt updated",
            "live 60 bytes: -ERR 'Maximum Payload Violation' [closed]",
        }));
        AssertSameAsReference(ours, reference);
    }

    [Test]
    public async Task Subs_refuses_the_extra_subscription_and_a_lowered_limit_closes_a_client_at_it()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("SUBS");
        var user = setup.NewUser(account, "u");
        var initial = setup.AccountJwt(account, a => a.Nats.Limits.Subs = 3, DateTimeOffset.UtcNow.AddSeconds(-5));

        async Task<List<string>> Scenario(int port)
        {
            var seen = new List<string>();
            var (client, first) = await ReferenceParity.LoginAsync(port, user);
            await using (client)
            {
                seen.Add("connect: " + first);
                await client.SendAsync("SUB a 1\r\nSUB b 2\r\nSUB c 3\r\nSUB d 4\r\nPING\r\n");
                seen.Add("4th sub: " + await client.ReadLineAsync() + " " + await client.ReadLineAsync());
                // nats-server's applyAccountLimits closes a client holding as many subscriptions as the new limit.
                seen.Add("update: " + await setup.PushAsync(port, setup.AccountJwt(account, a => a.Nats.Limits.Subs = 2)));
                seen.Add("then: " + await EndingAsync(client));
            }
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(port => setup.MemoryConfig(port, initial), Scenario);
        Assert.That(ours, Is.EqualTo(new[]
        {
            "connect: PONG",
            "4th sub: -ERR 'maximum subscriptions exceeded' PONG",
            "update: jwt updated",
            "then: -ERR 'maximum subscriptions exceeded' [closed]",
        }));
        AssertSameAsReference(ours, reference);
    }

    private static void AssertSameAsReference(List<string> ours, List<string>? reference)
    {
        if (reference is null)
        {
            Assert.Ignore("nats-server 2.9.10 is not installed: the outcome was not compared with it");
        }
        Assert.That(reference, Is.EqualTo(ours), "nats-server 2.9.10 sees the same");
    }

    /// <summary>What the server sent until it went quiet, and whether it closed.</summary>
    private static async Task<string> EndingAsync(RawClient client)
    {
        var rest = (await client.DrainAsync(Quiet)).Replace("PING\r\n", "", StringComparison.Ordinal).Trim();
        return (rest.Length == 0 ? "" : rest.Replace("\r\n", " | ", StringComparison.Ordinal) + " ") + (client.IsClosedByServer ? "[closed]" : "[open]");
    }

    /// <summary>The INFO a lowered max_payload makes the server send after the first PONG, as its max_payload.</summary>
    private static string Announced(string line) => line.StartsWith("INFO ", StringComparison.Ordinal)
        ? "INFO max_payload=" + JsonDocument.Parse(line[5..]).RootElement.GetProperty("max_payload").GetInt64()
        : line;
}
