using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.TestSupport;
using static Nats.Core.Tests.Accounts.Definitions;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// Accounts registered, updated and removed while clients are connected, over real
/// connections: imports follow the definitions, removed accounts lose their clients.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class AccountsAtRuntimeTests
{
    private NatsServer _server = null!;
    private AccountFromUserAuthenticator _authenticator = null!;
    private readonly List<AccountEvent> _events = [];

    [SetUp]
    public async Task StartServer()
    {
        _events.Clear();
        _eventNames.Clear();
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1 };
        // A login here waits for a resolver (100 ms by design) and, on a machine loaded by
        // parallel builds and test runs, for the scheduler: the 2 s default refused some with
        // 'Authentication Timeout'. The authentication deadline is not what these tests check.
        options.Auth.Timeout = TimeSpan.FromSeconds(10);
        _server = new NatsServer(options);
        _authenticator = new AccountFromUserAuthenticator();
        _server.AddAuthenticator(_authenticator);
        _server.Accounts.AccountAdded += e => Record("added", e);
        _server.Accounts.AccountUpdated += e => Record("updated", e);
        _server.Accounts.AccountRemoved += e => Record("removed", e);
        await _server.StartAsync();
    }

    [TearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    private readonly List<string> _eventNames = [];

    private void Record(string what, AccountEvent e)
    {
        lock (_events)
        {
            _events.Add(e);
            _eventNames.Add($"{what} {e.Account.Name}");
        }
    }

    private string[] EventNames()
    {
        lock (_events)
        {
            return [.. _eventNames];
        }
    }

    private Task<RawClient> LoginAsync(string user) => RawClient.ConnectAndHandshakeAsync(_server.Port, Login(user));

    [Test]
    public async Task A_registered_account_serves_clients_and_is_isolated()
    {
        var account = _server.Accounts.Register(new AccountConfig { Name = "A" });
        Assert.That(_server.Accounts.Find("A"), Is.SameAs(account));
        Assert.That(EventNames(), Is.EqualTo(new[] { "added A" }));
        Assert.Throws<InvalidOperationException>(() => _server.Accounts.Register(new AccountConfig { Name = "A" }));

        await using var sub = await LoginAsync("A/sub");
        await using var pub = await LoginAsync("A/pub");
        await using var global = await RawClient.ConnectAndHandshakeAsync(_server.Port, Login("$G/other"));
        await global.SendAsync("SUB x 1\r\n");
        await global.PingAsync();
        await sub.SendAsync("SUB x 1\r\n");
        await sub.PingAsync();
        await pub.SendAsync(Wire.Pub("x", "hello"));
        await sub.ExpectMsgAsync("x", "1", "hello");
        await global.PingAsync(); // the global account saw nothing
        Assert.That(account.ConnectionCount, Is.EqualTo(2));
    }

    [Test]
    public async Task An_import_added_by_an_update_reaches_connected_clients()
    {
        _server.Accounts.Register(Exporting("E", "news.>"));
        _server.Accounts.Register(new AccountConfig { Name = "I" });
        await using var importer = await LoginAsync("I/reader");
        await importer.SendAsync("SUB news.> 1\r\n");
        await importer.PingAsync();
        await using var exporter = await LoginAsync("E/writer");
        await exporter.SendAsync(Wire.Pub("news.a", "before"));
        await exporter.PingAsync();
        await importer.PingAsync(); // no import yet: nothing

        _server.Accounts.Update(Importing("I", "E", "news.>"));
        await exporter.SendAsync(Wire.Pub("news.b", "after"));
        await importer.ExpectMsgAsync("news.b", "1", "after");
        Assert.That(EventNames(), Does.Contain("updated I"));

        // The exporter withdraws the export: the import stops, and resumes when it returns.
        _server.Accounts.Update(new AccountConfig { Name = "E" });
        await exporter.SendAsync(Wire.Pub("news.c", "withdrawn"));
        await exporter.PingAsync();
        await importer.PingAsync();
        _server.Accounts.Update(Exporting("E", "news.>"));
        await exporter.SendAsync(Wire.Pub("news.d", "back"));
        await importer.ExpectMsgAsync("news.d", "1", "back");
    }

    [Test]
    public async Task An_import_waiting_for_its_exporter_is_wired_when_the_exporter_is_registered()
    {
        _server.Accounts.Register(Importing("I", "E", "news.>"));
        await using var importer = await LoginAsync("I/reader");
        await importer.SendAsync("SUB news.> 1\r\n");
        await importer.PingAsync();

        _server.Accounts.Register(Exporting("E", "news.>"));
        await using var exporter = await LoginAsync("E/writer");
        await exporter.SendAsync(Wire.Pub("news.a", "late"));
        await importer.ExpectMsgAsync("news.a", "1", "late");
    }

    [Test]
    public async Task Removing_an_account_disconnects_its_clients_and_stops_imports_from_it()
    {
        _server.Accounts.Register(Exporting("E", "news.>"));
        _server.Accounts.Register(Importing("I", "E", "news.>"));
        await using var exporter = await LoginAsync("E/writer");
        await using var importer = await LoginAsync("I/reader");
        await importer.SendAsync("SUB news.> 1\r\n");
        await importer.PingAsync();
        var removed = _server.Accounts.Find("E")!;

        Assert.That(_server.Accounts.Remove("E"), Is.True);

        await exporter.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(removed.IsRemoved, Is.True);
        Assert.That(_server.Accounts.Find("E"), Is.Null);
        Assert.That(EventNames(), Does.Contain("removed E"));
        Assert.That(_server.Accounts.Find("I")!.Sublist.Count, Is.EqualTo(1 + 4), "only the reader's own subscription and the 4 system imports");
        Assert.That(removed.Sublist.Count, Is.Zero, "the stream import left the removed exporter's sublist");
        Assert.That(_server.Accounts.Remove("E"), Is.False);
        Assert.Throws<InvalidOperationException>(() => _server.Accounts.Remove(AccountRegistry.GlobalAccountName));

        // A client of the removed account can no longer log in; the importer is fine.
        Assert.That(await RawClient.TryLoginAsync(_server.Port, "E/again", "x"), Is.EqualTo("-ERR 'Authorization Violation'"));
        await importer.PingAsync();
    }

    [Test]
    public async Task A_resolver_answers_a_client_login_into_an_unknown_account_once()
    {
        var resolver = new TableResolver { Delay = TimeSpan.FromMilliseconds(100) };
        resolver.Accounts["R"] = new AccountConfig { Name = "R" };
        _server.Accounts.AddAccountResolver(resolver);

        var logins = await Task.WhenAll(LoginAsync("R/one"), LoginAsync("R/two"));
        await using var one = logins[0];
        await using var two = logins[1];
        await one.SendAsync("SUB r 1\r\n");
        await one.PingAsync();
        await two.SendAsync(Wire.Pub("r", "resolved"));
        await one.ExpectMsgAsync("r", "1", "resolved");
        Assert.That(resolver.Calls, Is.EqualTo(1), "concurrent misses on one name ask the resolver once");
        Assert.That(EventNames(), Is.EqualTo(new[] { "added R" }));

        // An account no resolver knows: refused as a missing account.
        Assert.That(await RawClient.TryLoginAsync(_server.Port, "nobody/x", "x"), Is.EqualTo("-ERR 'Authorization Violation'"));
    }

    [Test]
    public async Task FindForLink_hands_a_slow_resolution_to_the_link_to_await_which_ends_in_time()
    {
        var resolver = new TableResolver { Delay = TimeSpan.FromMilliseconds(200) };
        resolver.Accounts["L"] = new AccountConfig { Name = "L" };
        _server.Accounts.AddAccountResolver(resolver);

        Assert.That(_server.Accounts.FindForLink("L", out var pending), Is.Null);
        Assert.That(pending, Is.Not.Null, "the resolver's answer is in flight: the link awaits it, nothing blocks");
        await pending!;
        Assert.That(_server.Accounts.FindForLink("L", out pending), Is.SameAs(_server.Accounts.Find("L")));
        Assert.That(pending, Is.Null);
        Assert.That(resolver.Calls, Is.EqualTo(1));

        // A resolver that would answer in 60 s: the resolution ends at the registry's timeout
        // (1.9 s), far within the 20 s waited, with the account unknown.
        resolver.Delay = TimeSpan.FromSeconds(60);
        Assert.That(_server.Accounts.FindForLink("slow", out pending), Is.Null);
        await pending!.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(_server.Accounts.Find("slow"), Is.Null);
        Assert.That(await _server.Accounts.FindOrResolveAsync("missing"), Is.Null);
    }
}
