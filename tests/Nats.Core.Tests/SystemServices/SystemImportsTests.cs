using System.Text.Json;
using Nats.Core.Config;
using Nats.TestSupport;
using NATS.Client.Core;

namespace Nats.Core.Tests.SystemServices;

/// <summary>
/// The system service imports every account gets (nats-server's <c>registerSystemImports</c>),
/// asked by a NATS.Net client of a non-system account, here and of nats-server 2.9.10 with the
/// same accounts: the answer covers only the caller's account and has nats-server's field names.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SystemImportsTests
{
    private static readonly string[] Subjects = ["$SYS.REQ.ACCOUNT.PING.CONNZ", "$SYS.REQ.SERVER.PING.CONNZ", "$SYS.REQ.ACCOUNT.PING.STATZ"];

    private static string Config(int port) => $$"""
        port: {{port}}
        accounts {
          SYS { users = [{user: sys, password: sys}] }
          A { users = [{user: a, password: a}] }
          B { users = [{user: b, password: b}] }
        }
        system_account: SYS
        """;

    private static Task<TestServer> StartOursAsync() => TestServer.StartAsync(o =>
    {
        o.Auth.Accounts = [new AccountConfig { Name = "SYS" }, new AccountConfig { Name = "A" }, new AccountConfig { Name = "B" }];
        o.Auth.Users =
        [
            new UserConfig { Username = "sys", Password = "sys", Account = "SYS" },
            new UserConfig { Username = "a", Password = "a", Account = "A" },
            new UserConfig { Username = "b", Password = "b", Account = "B" },
        ];
        o.Auth.SystemAccount = "SYS";
    });

    private static NatsConnection Connect(int port, string user) =>
        new(new NatsOpts { Url = $"nats://127.0.0.1:{port}", AuthOpts = new NatsAuthOpts { Username = user, Password = user } });

    /// <summary>Asks each subject as user <c>a</c> while a <c>b</c> connection is open; the one answer each.</summary>
    private static async Task<Dictionary<string, JsonElement>> AskAsync(int port)
    {
        await using var a = Connect(port, "a");
        await using var b = Connect(port, "b");
        await a.ConnectAsync();
        await b.ConnectAsync();
        var answers = new Dictionary<string, JsonElement>();
        foreach (var subject in Subjects)
        {
            var reply = await a.RequestAsync<byte[]>(subject, replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
            answers[subject] = JsonDocument.Parse(reply.Data!).RootElement.Clone();
        }
        return answers;
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    [Test]
    public async Task An_accounts_client_gets_its_own_accounts_connz_and_statz()
    {
        await using var server = await StartOursAsync();
        var answers = await AskAsync(server.Port);
        foreach (var subject in Subjects[..2])
        {
            var data = answers[subject].GetProperty("data");
            Assert.That(data.GetProperty("num_connections").GetInt32(), Is.EqualTo(1), subject + ": only account A's connection, not B's");
            Assert.That(answers[subject].GetProperty("server").GetProperty("id").GetString(), Is.EqualTo(server.Server.ServerId));
        }
        var statz = answers[Subjects[2]].GetProperty("data").GetProperty("account_statz");
        Assert.That(statz.GetArrayLength(), Is.EqualTo(1));
        Assert.That(statz[0].GetProperty("acc").GetString(), Is.EqualTo("A"));
        Assert.That(statz[0].GetProperty("conns").GetInt32(), Is.EqualTo(1));
    }

    [Test]
    public async Task The_answers_have_nats_servers_field_names()
    {
        ReferenceServer.RequireInstalled();
        var port = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync(Config(port), port);
        var theirs = await AskAsync(port);
        await using var server = await StartOursAsync();
        var ours = await AskAsync(server.Port);
        foreach (var subject in Subjects)
        {
            Assert.That(Names(ours[subject]), Is.EqualTo(Names(theirs[subject])), subject);
            // The server block also carries nats-server 2.10's "flags" (SystemRequestTests pins it); 2.9.10 has none.
            Assert.That(Names(ours[subject].GetProperty("server")).Where(n => n != "flags"), Is.EqualTo(Names(theirs[subject].GetProperty("server"))), subject + " server");
            Assert.That(Names(ours[subject].GetProperty("data")), Is.EqualTo(Names(theirs[subject].GetProperty("data"))), subject + " data");
        }
        foreach (var connz in Subjects[..2])
        {
            Assert.That(theirs[connz].GetProperty("data").GetProperty("num_connections").GetInt32(), Is.EqualTo(1), "nats-server filters to the caller's account too");
        }
        var statz = Subjects[2];
        // /accstatz (shared with the metrics' account_name label) also writes nats-server 2.10's
        // "name" and "num_subscriptions"; every 2.9.10 field is there, and nothing else is extra.
        var ourStatz = Names(ours[statz].GetProperty("data").GetProperty("account_statz")[0]);
        var theirStatz = Names(theirs[statz].GetProperty("data").GetProperty("account_statz")[0]);
        Assert.That(ourStatz.Where(n => n is not "name" and not "num_subscriptions"), Is.EqualTo(theirStatz));
    }

    [Test]
    public async Task A_user_asking_user_info_is_told_its_own_user_account_and_permissions()
    {
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Auth.Accounts = [new AccountConfig { Name = "SYS" }, new AccountConfig { Name = "A" }];
            o.Auth.Users =
            [
                new UserConfig { Username = "sys", Password = "sys", Account = "SYS" },
                new UserConfig { Username = "a", Password = "a", Account = "A" },
                new UserConfig
                {
                    Username = "p", Password = "p", Account = "A",
                    Permissions = new PermissionsConfig
                    {
                        Publish = new SubjectPermissionConfig { Allow = ["$SYS.REQ.USER.INFO"], Deny = ["x"] },
                        Subscribe = new SubjectPermissionConfig { Allow = ["_INBOX.>"] },
                    },
                },
            ];
            o.Auth.SystemAccount = "SYS";
        });
        var answers = new Dictionary<string, JsonElement>();
        foreach (var user in new[] { "a", "p", "sys" })
        {
            await using var client = Connect(server.Port, user);
            var reply = await client.RequestAsync<byte[]>("$SYS.REQ.USER.INFO", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(5) });
            answers[user] = JsonDocument.Parse(reply.Data!).RootElement.GetProperty("data").Clone();
        }
        Assert.Multiple(() =>
        {
            // nats-server 2.10's UserInfo: no permissions and no expiry are left out.
            Assert.That(answers["a"].GetRawText(), Is.EqualTo("""{"user":"a","account":"A"}"""));
            Assert.That(answers["p"].GetRawText(), Is.EqualTo("""{"user":"p","account":"A","permissions":{"publish":{"allow":["$SYS.REQ.USER.INFO"],"deny":["x"]},"subscribe":{"allow":["_INBOX.\u003e"]}}}"""));
            Assert.That(answers["sys"].GetRawText(), Is.EqualTo("""{"user":"sys","account":"SYS"}"""), "the system account imports its own user info");
        });
    }
}
