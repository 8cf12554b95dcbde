using System.Text.Json;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// An account deleted from the full resolver (<c>allow_delete</c>, <c>$SYS.REQ.CLAIMS.DELETE</c>)
/// disconnects its clients and refuses new ones, run on this server and on nats-server 2.9.10
/// (whose <c>removeCb</c> expires the account: <c>expiredTimeout</c> sends each client
/// <c>Account Authentication Expired</c>). The URL resolver has nothing to match here: nats-server
/// fetches a loaded account again only once it expired (<c>lookupAccount</c>), never on its own, so
/// a URL answering 404 later disconnects no one.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class AccountDeleteTests
{
    [Test]
    public async Task Deleting_an_account_from_the_full_resolver_disconnects_its_clients()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("GONE");
        var bystanderAccount = setup.NewAccount("STAYS");
        var user = setup.NewUser(account, "user");
        var later = setup.NewUser(account, "later");
        var bystander = setup.NewUser(bystanderAccount, "bystander");

        async Task<List<string>> Scenario(int port)
        {
            var seen = new List<string>();
            await using var system = setup.NewUser(setup.SystemAccount, "admin").Client(port);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            async Task<string> RequestAsync(string subject, string body)
            {
                var reply = await system.RequestAsync<string, string>(subject, body, cancellationToken: cts.Token);
                var answer = JsonDocument.Parse(reply.Data!).RootElement;
                return answer.TryGetProperty("data", out var data) ? data.GetProperty("message").GetString()! : answer.GetRawText();
            }
            seen.Add("stored: " + await RequestAsync("$SYS.REQ.CLAIMS.UPDATE", setup.AccountJwt(account)));
            seen.Add("stored: " + await RequestAsync("$SYS.REQ.CLAIMS.UPDATE", setup.AccountJwt(bystanderAccount)));
            var (client, first) = await ReferenceParity.LoginAsync(port, user);
            await using (client)
            {
                var (other, otherFirst) = await ReferenceParity.LoginAsync(port, bystander);
                await using (other)
                {
                    seen.Add($"connected: {first}, bystander: {otherFirst}");
                    seen.Add("delete: " + await RequestAsync("$SYS.REQ.CLAIMS.DELETE", setup.DeleteRequest(account.Key.PublicKey)));
                    seen.Add("client then: " + (await client.ReadUntilClosedAsync()).Trim());
                    await other.SendAsync("PING\r\n");
                    seen.Add("bystander then: " + await other.ReadLineAsync());
                }
            }
            var (refused, refusedFirst) = await ReferenceParity.LoginAsync(port, later);
            await refused.DisposeAsync();
            seen.Add("new user: " + refusedFirst);
            return seen;
        }

        var (ours, reference) = await ReferenceParity.RunAsync(port => setup.FullResolverConfig(port, Path.Combine(setup.Directory, "jwt" + port)), Scenario);
        Assert.That(ours, Is.EqualTo(new[]
        {
            "stored: jwt updated",
            "stored: jwt updated",
            "connected: PONG, bystander: PONG",
            "delete: deleted 1 accounts",
            "client then: -ERR 'Account Authentication Expired'",
            "bystander then: PONG",
            "new user: -ERR 'Authorization Violation'",
        }));
        if (reference is null)
        {
            Assert.Ignore("nats-server 2.9.10 is not installed: the outcome was not compared with it");
        }
        Assert.That(reference, Is.EqualTo(ours), "nats-server 2.9.10 sees the same");
    }
}
