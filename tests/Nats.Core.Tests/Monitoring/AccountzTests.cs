using System.Net;
using Nats.Core.Config;

namespace Nats.Core.Tests.Monitoring;

[CancelAfter(20_000)]
public class AccountzTests
{
    private static void TwoAccounts(ServerOptions o)
    {
        o.Auth.Accounts.Add(new AccountConfig
        {
            Name = "A",
            Exports =
            {
                new ExportConfig { Kind = ExportKind.Stream, Subject = "a.>" },
                new ExportConfig { Kind = ExportKind.Service, Subject = "svc.a", Accounts = { "B" }, ResponseType = "Stream" },
            },
        });
        o.Auth.Accounts.Add(new AccountConfig
        {
            Name = "B",
            Imports =
            {
                new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "a.>", Prefix = "fromA" },
                new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "svc.a", To = "b.svc" },
            },
            Mappings = { new MappingConfig { Source = "m.in", Destinations = { new MappingDestinationConfig { Subject = "m.out" } } } },
        });
        o.Auth.Users.Add(new UserConfig { Username = "a", Password = "a", Account = "A" });
        o.Auth.Users.Add(new UserConfig { Username = "b", Password = "b", Account = "B" });
    }

    [Test]
    public async Task ListsAccounts(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, TwoAccounts);
        var accountz = await fixture.GetJsonAsync("/accountz", cancellationToken);
        Assert.That((string?)accountz["system_account"], Is.EqualTo("$SYS"));
        Assert.That(accountz["accounts"]!.AsArray().Select(a => (string?)a), Is.EquivalentTo(new[] { "A", "B", "$G", "$SYS" }));
        Assert.That(accountz["account_detail"], Is.Null);
    }

    [Test]
    public async Task DescribesOneAccountWithExportsAndImports(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, TwoAccounts);
        var client = await fixture.ConnectAsync("SUB x 1\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");

        var a = (await fixture.GetJsonAsync("/accountz?acc=A", cancellationToken))["account_detail"]!;
        Assert.Multiple(() =>
        {
            Assert.That((string?)a["account_name"], Is.EqualTo("A"));
            Assert.That(a["is_system"], Is.Null);
            Assert.That((bool?)a["expired"], Is.False);
            Assert.That((bool?)a["complete"], Is.True);
            Assert.That((bool?)a["jetstream_enabled"], Is.False);
            Assert.That((int?)a["client_connections"], Is.EqualTo(1));
            // The client's, and those the imports of B placed in A (stream, service responses).
            Assert.That((uint?)a["subscriptions"], Is.EqualTo(3 + 4), "with the 4 system imports, as nats-server 2.10 counts them");
            Assert.That((uint?)a["sublist_stats"]!["num_subscriptions"], Is.EqualTo(3 + 4));
        });
        var exports = a["exports"]!.AsArray().ToDictionary(e => (string)e!["subject"]!);
        Assert.Multiple(() =>
        {
            Assert.That((string?)exports["a.>"]!["type"], Is.EqualTo("stream"));
            Assert.That(exports["a.>"]!["response_type"], Is.Null);
            Assert.That((string?)exports["svc.a"]!["type"], Is.EqualTo("service"));
            Assert.That((string?)exports["svc.a"]!["response_type"], Is.EqualTo("Streamed"));
            Assert.That(exports["svc.a"]!["approved_accounts"]!.AsArray().Select(x => (string?)x), Is.EqualTo(new[] { "B" }));
        });

        var b = (await fixture.GetJsonAsync("/accountz?acc=B", cancellationToken))["account_detail"]!;
        var system = b["imports"]!.AsArray().Where(i => (string?)i!["account"] == "$SYS").Select(i => ((string?)i!["subject"], (string?)i["local_subject"], (bool?)i["share"])).ToArray();
        Assert.That(system, Is.EquivalentTo(new[]
        {
            ("$SYS.REQ.ACCOUNT.B.CONNZ", "$SYS.REQ.ACCOUNT.PING.CONNZ", false),
            ("$SYS.REQ.ACCOUNT.B.CONNZ", "$SYS.REQ.SERVER.PING.CONNZ", false),
            ("$SYS.REQ.ACCOUNT.B.STATZ", "$SYS.REQ.ACCOUNT.PING.STATZ", false),
            ("$SYS.REQ.USER.B.INFO", "$SYS.REQ.USER.INFO", true),
        }), "the system imports, as nats-server 2.10 lists them");
        var imports = b["imports"]!.AsArray().Where(i => (string?)i!["account"] != "$SYS").ToDictionary(i => (string)i!["type"]!);
        Assert.Multiple(() =>
        {
            Assert.That((string?)imports["stream"]!["subject"], Is.EqualTo("a.>"));
            Assert.That((string?)imports["stream"]!["account"], Is.EqualTo("A"));
            Assert.That((string?)imports["stream"]!["local_subject"], Is.EqualTo("fromA.a.>"));
            Assert.That((bool?)imports["stream"]!["invalid"], Is.False);
            Assert.That((string?)imports["service"]!["subject"], Is.EqualTo("svc.a"));
            Assert.That((string?)imports["service"]!["to"], Is.EqualTo("b.svc"));
            Assert.That((string?)imports["service"]!["local_subject"], Is.EqualTo("b.svc"));
            Assert.That(b["exports"], Is.Null);
            Assert.That(b["mappings"]!.ToJsonString(), Is.EqualTo("""{"m.in":[{"subject":"m.out","weight":100}]}"""));
        });

        var sys = (await fixture.GetJsonAsync("/accountz?acc=$SYS", cancellationToken))["account_detail"]!;
        Assert.That((bool?)sys["is_system"], Is.True);
        await client.FlushAsync(cancellationToken);
    }

    [Test]
    public async Task RefusesAnUnknownAccount(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken);
        var (status, body, _) = await fixture.GetAsync("/accountz?acc=nope", cancellationToken);
        Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(body, Is.EqualTo("Account nope does not exist"));
    }

    [Test]
    public async Task AccountStatzCountsTrafficPerAccount(CancellationToken cancellationToken)
    {
        await using var fixture = await MonitoringFixture.StartAsync(cancellationToken, TwoAccounts);
        var subscriber = await fixture.ConnectAsync("SUB a.1 1\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        var publisher = await fixture.ConnectAsync("PUB a.1 4\r\nabcd\r\nPUB a.1 2\r\nxy\r\n", cancellationToken, """{"verbose":false,"user":"a","pass":"a"}""");
        await subscriber.ExpectAsync("xy\r\n");

        var statz = await fixture.GetJsonAsync("/accstatz", cancellationToken);
        var accounts = statz["account_statz"]!.AsArray();
        Assert.That(accounts.Select(s => (string?)s!["acc"]), Is.EqualTo(new[] { "A" }), "only accounts in use without unused=1");
        var a = accounts[0]!;
        Assert.Multiple(() =>
        {
            Assert.That((int?)a["conns"], Is.EqualTo(2));
            Assert.That((int?)a["total_conns"], Is.EqualTo(2));
            Assert.That((long?)a["received"]!["msgs"], Is.EqualTo(2));
            Assert.That((long?)a["received"]!["bytes"], Is.EqualTo(6));
            Assert.That((long?)a["sent"]!["msgs"], Is.EqualTo(2));
            Assert.That((long?)a["sent"]!["bytes"], Is.EqualTo(6));
        });

        // Deliveries of a closed connection stay in its account's totals.
        await subscriber.DisposeAsync();
        statz = await fixture.WaitForJsonAsync("/accstatz?unused=1",
            j => (int?)j["account_statz"]!.AsArray().Single(s => (string?)s!["acc"] == "A")!["conns"] == 1, cancellationToken);
        var all = statz["account_statz"]!.AsArray();
        Assert.That(all.Select(s => (string?)s!["acc"]), Is.EquivalentTo(new[] { "A", "B", "$G", "$SYS" }));
        Assert.That((long?)all.Single(s => (string?)s!["acc"] == "A")!["sent"]!["msgs"], Is.EqualTo(2));
        await publisher.FlushAsync(cancellationToken);
    }
}
