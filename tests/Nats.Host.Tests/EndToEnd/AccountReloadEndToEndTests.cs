using Nats.Host.Signals;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// SIGHUP with changed account definitions, against the host executable: a new account with
/// an import takes effect for a connected client; a removed account's client is disconnected.
/// </summary>
[TestFixture]
public sealed class AccountReloadEndToEndTests
{
    private TempDirectory _dir = null!;
    private int _port;

    [OneTimeSetUp]
    public void LocateHost() => Assert.That(File.Exists(HostExecutable.Path));

    [SetUp]
    public void SetUp()
    {
        _dir = new TempDirectory();
        _port = FreePorts.Take();
    }

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string Config(string accounts) => $"listen: 127.0.0.1:{_port}\naccounts {{\n{accounts}\n}}\n";

    private async Task<RawClient> LoginAsync(string user)
    {
        var client = await RawClient.ConnectAndHandshakeAsync(_port, $$"""{"verbose":false,"pedantic":false,"protocol":1,"user":"{{user}}","pass":"{{user}}"}""");
        // A reload on a loaded machine can outlast the server's first PING (2 s after CONNECT).
        client.AnswerPings = true;
        return client;
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task Sighup_adds_an_account_and_an_import_and_removes_an_account()
    {
        var path = _dir.Write("accounts.conf", Config("""
              E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
              I { users: [{user: i, password: i}] }
              OLD { users: [{user: o, password: o}] }
            """));
        using var host = HostProcess.Start(_dir.Path, "-c", "accounts.conf");
        await host.WaitForLogAsync("Server is ready");
        await using var importer = await LoginAsync("i");
        await importer.SendAsync("SUB news.> 1\r\n");
        await importer.PingAsync();
        await using var exporter = await LoginAsync("e");
        await using var old = await LoginAsync("o");
        Assert.That(await RawClient.TryLoginAsync(_port, "n", "n"), Is.EqualTo("-ERR 'Authorization Violation'"));

        File.WriteAllText(path, Config("""
              E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
              I { users: [{user: i, password: i}], imports: [{stream: {account: E, subject: "news.>"}}] }
              NEW { users: [{user: n, password: n}] }
            """));
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Reloaded server configuration");

        await exporter.SendAsync(Wire.Pub("news.today", "imported"));
        await importer.ExpectMsgAsync("news.today", "1", "imported");
        await old.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(await RawClient.TryLoginAsync(_port, "n", "n"), Is.EqualTo("PONG"));
        Assert.That(await RawClient.TryLoginAsync(_port, "o", "o"), Is.EqualTo("-ERR 'Authorization Violation'"));

        // A reload with a bad import changes nothing.
        File.WriteAllText(path, Config("""
              E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
              I { users: [{user: i, password: i}], imports: [{stream: {account: E, subject: "nope.>"}}] }
            """));
        host.Signal(UnixSignal.Hangup);
        await host.WaitForLogAsync("Failed to reload server configuration");
        Assert.That(await RawClient.TryLoginAsync(_port, "n", "n"), Is.EqualTo("PONG"));
        await exporter.SendAsync(Wire.Pub("news.later", "still"));
        await importer.ExpectMsgAsync("news.later", "1", "still");
    }
}
