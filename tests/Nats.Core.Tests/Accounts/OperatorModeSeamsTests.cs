using Nats.Core.Config;
using Nats.Core.Connections;
using Nats.TestSupport;
using static Nats.Core.Tests.Accounts.Definitions;

namespace Nats.Core.Tests.Accounts;

/// <summary>The two seams operator mode needs: naming the system account before start, and revoking a connected user.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class OperatorModeSeamsTests
{
    [Test]
    public async Task UseSystemAccount_renames_the_system_account_before_start_and_system_services_follow()
    {
        await using var server = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = -1 });
        server.AddAuthenticator(new AccountFromUserAuthenticator());
        server.UseSystemAccount("ASYSTEM");
        Assert.That(server.Accounts.System!.Name, Is.EqualTo("ASYSTEM"));
        Assert.That(server.Accounts.System.IsSystem, Is.True);
        Assert.That(server.Accounts.Find("$SYS"), Is.Null);
        await server.StartAsync();
        Assert.That(server.SystemServices.Account, Is.SameAs(server.Accounts.System));

        // A user bound to the renamed account reaches the $SYS services there.
        await using var admin = await RawClient.ConnectAndHandshakeAsync(server.Port, Login("ASYSTEM/admin"));
        await admin.SendAsync("SUB _INBOX.ping 1\r\nPUB $SYS.REQ.SERVER.PING.IDZ _INBOX.ping 0\r\n\r\n");
        var answer = await admin.ReadMessageAsync();
        Assert.That(answer.Subject, Is.EqualTo("_INBOX.ping"));
        Assert.Throws<InvalidOperationException>(() => server.UseSystemAccount("AOTHER"), "not after start");
    }

    [Test]
    public void UseSystemAccount_is_refused_once_the_system_services_are_in_use_or_the_name_is_taken()
    {
        var server = new NatsServer(new ServerOptions
        {
            Host = "127.0.0.1",
            Port = -1,
            Auth = new AuthOptions { Accounts = [new AccountConfig { Name = "TAKEN" }] },
        });
        Assert.Throws<InvalidOperationException>(() => server.UseSystemAccount("TAKEN"));
        _ = server.SystemServices.IsEnabled;
        Assert.Throws<InvalidOperationException>(() => server.UseSystemAccount("ASYSTEM"));
    }

    [Test]
    public async Task Revoke_closes_the_connection_with_user_authentication_revoked()
    {
        await using var server = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = -1 });
        server.AddAuthenticator(new AccountFromUserAuthenticator());
        server.Accounts.Register(new AccountConfig { Name = "A" });
        await server.StartAsync();
        await using var victim = await RawClient.ConnectAndHandshakeAsync(server.Port, Login("A/victim"));
        await using var other = await RawClient.ConnectAndHandshakeAsync(server.Port, Login("A/other"));

        server.Clients.Single(c => c.User == "A/victim").Revoke();

        await victim.ExpectErrAndCloseAsync("User Authentication Revoked");
        await other.PingAsync();
        Assert.That(ClosedReason.Revocation.ToDisplayString(), Is.EqualTo("Credentials Revoked"));
    }
}
