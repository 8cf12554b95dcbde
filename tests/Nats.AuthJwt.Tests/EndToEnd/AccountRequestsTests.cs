using System.Text.Json;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// <c>$SYS.REQ.ACCOUNT.&lt;id&gt;.CONNZ/LEAFZ/SUBSZ/JSZ/INFO</c> asked by a system-account user
/// (NATS.Net, creds) of this server and of nats-server 2.9.10 with the same JWTs: the same envelope,
/// the same answers or errors, our fields a subset of the reference's.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AccountRequestsTests
{
    [Test]
    public async Task Account_requests_answer_as_the_reference_server()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Exports = [new Export { Name = "svc", Subject = "svc.>", Type = ExportType.Service }];
            a.Nats.Mappings = new SubjectMappings { ["m.in"] = [new WeightedMapping { Subject = "m.out", Weight = 0 }] };
        });
        var user = setup.NewUser(account, "u");
        var admin = setup.NewUser(setup.SystemAccount, "admin");

        await using var ours = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), accountJwt));
        var actual = await AskAsync(ours.Url, account.Key.PublicKey, user, admin);
        Assert.Multiple(() =>
        {
            Assert.That(actual["CONNZ"].GetProperty("data").GetProperty("num_connections").GetInt32(), Is.EqualTo(1));
            Assert.That(actual["CONNZ"].GetProperty("data").GetProperty("connections")[0].GetProperty("name").GetString(), Is.EqualTo("account-user"));
            Assert.That(actual["SUBSZ"].GetProperty("data").GetProperty("num_subscriptions").GetInt32(), Is.GreaterThanOrEqualTo(1));
            Assert.That(actual["LEAFZ"].GetProperty("data").GetProperty("leafnodes").GetInt32(), Is.EqualTo(0));
            Assert.That(actual["JSZ"].GetProperty("error").GetRawText(), Is.EqualTo("""{"code":500,"description":"jetstream not enabled"}"""));
            var info = actual["INFO"].GetProperty("data");
            Assert.That(info.GetProperty("account_name").GetString(), Is.EqualTo(account.Key.PublicKey));
            Assert.That(info.GetProperty("client_connections").GetInt32(), Is.EqualTo(1));
            Assert.That(info.GetProperty("jwt").GetString(), Is.EqualTo(accountJwt));
            Assert.That(info.GetProperty("issuer_key").GetString(), Is.EqualTo(setup.Operator.PublicKey));
            Assert.That(info.GetProperty("name_tag").GetString(), Is.EqualTo("A"));
            Assert.That(info.GetProperty("decoded_jwt").GetProperty("sub").GetString(), Is.EqualTo(account.Key.PublicKey));
            Assert.That(info.GetProperty("mappings").GetRawText(), Is.EqualTo("""{"m.in":[{"subject":"m.out","weight":100}]}"""));
            Assert.That(info.GetProperty("exports")[0].GetProperty("subject").GetString(), Is.EqualTo("svc.>"));
            // The system imports every JWT account gets (nats-server 2.10's orientation: subject in the system account).
            Assert.That(info.GetProperty("imports").EnumerateArray().Select(i => (i.GetProperty("local_subject").GetString(), i.GetProperty("subject").GetString())), Is.EquivalentTo(new[]
            {
                ("$SYS.REQ.ACCOUNT.PING.CONNZ", $"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.CONNZ"),
                ("$SYS.REQ.SERVER.PING.CONNZ", $"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.CONNZ"),
                ("$SYS.REQ.ACCOUNT.PING.STATZ", $"$SYS.REQ.ACCOUNT.{account.Key.PublicKey}.STATZ"),
                ("$SYS.REQ.USER.INFO", $"$SYS.REQ.USER.{account.Key.PublicKey}.INFO"),
            }));
            Assert.That(actual["NOPE"].GetRawText(), Does.Contain(""""
                "data":null,"error":{"code":500,"description":"Account NOPE does not exist"}
                """"));
        });

        ReferenceServer.RequireInstalled("compared with the documented answers only");
        var port = FreePorts.Take();
        await using var reference = await ReferenceServer.StartAsync(setup.MemoryConfig(port, accountJwt), port);
        var expected = await AskAsync($"nats://127.0.0.1:{port}", account.Key.PublicKey, user, admin);
        foreach (var (name, answer) in expected)
        {
            TestContext.Out.WriteLine($"{name}: reference {string.Join(",", Keys(answer))} | ours {string.Join(",", Keys(actual[name]))}");
            Assert.That(Keys(actual[name]), Is.EqualTo(Keys(answer)), $"{name}: envelope");
            var section = answer.TryGetProperty("data", out _) ? "data" : "error";
            Assert.That(Keys(actual[name].GetProperty(section)), Is.SubsetOf(Keys(answer.GetProperty(section))), $"{name}: {section} fields");
        }
        Assert.That(actual["JSZ"].GetProperty("error").GetRawText(), Is.EqualTo(expected["JSZ"].GetProperty("error").GetRawText()));
        // SUBSZ counts may differ: both add the system service imports to every account, the kernel
        // also 2.10's $SYS.REQ.USER.INFO (4 against 2.9.10's 3).
        Assert.That(actual["LEAFZ"].GetProperty("data").GetProperty("leafnodes").GetInt32(), Is.EqualTo(expected["LEAFZ"].GetProperty("data").GetProperty("leafnodes").GetInt32()));
    }

    private static List<string> Keys(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object ? [.. element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)] : [];

    /// <summary>One account user with a subscription, then each request from the system user.</summary>
    private static async Task<Dictionary<string, JsonElement>> AskAsync(string url, string account, TestUser user, TestUser admin)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var client = Connect(url, user.CredsPath, "account-user");
        await using var sub = await client.SubscribeCoreAsync<string>("orders.>", cancellationToken: cts.Token);
        await client.PingAsync(cts.Token);
        await using var system = Connect(url, admin.CredsPath, "admin");
        await system.ConnectAsync();
        var answers = new Dictionary<string, JsonElement>();
        foreach (var name in new[] { "CONNZ", "SUBSZ", "LEAFZ", "JSZ", "INFO" })
        {
            answers[name] = await RequestAsync(system, $"$SYS.REQ.ACCOUNT.{account}.{name}", cts.Token);
        }
        answers["NOPE"] = await RequestAsync(system, "$SYS.REQ.ACCOUNT.NOPE.INFO", cts.Token);
        return answers;
    }

    private static async Task<JsonElement> RequestAsync(NatsConnection system, string subject, CancellationToken cancellationToken)
    {
        var reply = await system.RequestAsync<string, string>(subject, "", cancellationToken: cancellationToken);
        return JsonDocument.Parse(reply.Data!).RootElement.Clone();
    }

    private static NatsConnection Connect(string url, string creds, string name) => new(NatsOpts.Default with
    {
        Url = url,
        Name = name,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
    });
}
