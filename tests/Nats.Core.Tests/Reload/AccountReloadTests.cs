using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.TestSupport;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Reload;

/// <summary>
/// Account definitions reload as in nats-server: new accounts, exports and imports take effect
/// for connected clients, removed accounts lose their clients, one bad import rejects all; and
/// plugin keys of account blocks reach the plugin through <see cref="IConfigBus.BindAccountKey"/>.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class AccountReloadTests
{
    private const string Base = """
        accounts {
          E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
          I { users: [{user: i, password: i}] }
          GONE { users: [{user: g, password: g}] }
        }
        """;

    private static ServerOptions Config(string text)
    {
        var options = Options(text);
        options.Host = "127.0.0.1";
        options.Port = -1;
        return options;
    }

    private static Task<RawClient> LoginAsync(NatsServer server, string user) =>
        RawClient.ConnectAndHandshakeAsync(server.Port, $$"""{"verbose":false,"pedantic":false,"protocol":1,"user":"{{user}}","pass":"{{user}}"}""");

    private static ReloadResult Reload(NatsServer server, string text) => server.Reload(Config(text));

    [Test]
    public async Task A_new_import_takes_effect_for_connected_clients_and_a_removed_account_loses_its_clients()
    {
        await using var server = new NatsServer(Config(Base));
        await server.StartAsync();
        await using var importer = await LoginAsync(server, "i");
        await importer.SendAsync("SUB news.> 1\r\n");
        await importer.PingAsync();
        await using var exporter = await LoginAsync(server, "e");
        await using var gone = await LoginAsync(server, "g");

        var result = Reload(server, """
            accounts {
              E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
              I { users: [{user: i, password: i}], imports: [{stream: {account: E, subject: "news.>"}}] }
              NEW { users: [{user: n, password: n}] }
            }
            """);

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Does.Contain("accounts"));
        await exporter.SendAsync(Wire.Pub("news.x", "reloaded"));
        await importer.ExpectMsgAsync("news.x", "1", "reloaded");
        await gone.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(server.Accounts.Find("GONE"), Is.Null);
        await using var fresh = await LoginAsync(server, "n");
        Assert.That(server.Accounts.Find("NEW")!.ConnectionCount, Is.EqualTo(1));
    }

    [Test]
    public async Task One_bad_import_rejects_the_whole_reload()
    {
        await using var server = new NatsServer(Config(Base));
        await server.StartAsync();

        var result = Reload(server, """
            accounts {
              E { users: [{user: e, password: e}], exports: [{stream: "news.>"}] }
              I { users: [{user: i, password: i}], imports: [{stream: {account: E, subject: "other.>"}}] }
              NEW { users: [{user: n, password: n}] }
            }
            max_payload: 100
            """);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains("is not exported by account \"E\""));
        Assert.That(server.Accounts.Find("NEW"), Is.Null);
        Assert.That(server.Accounts.Find("GONE"), Is.Not.Null);
        Assert.That(server.Options.MaxPayload, Is.EqualTo(1024 * 1024));
        await using var stillThere = await LoginAsync(server, "g");
    }

    [Test]
    public async Task Account_limits_reload()
    {
        await using var server = new NatsServer(Config(Base));
        await server.StartAsync();
        await using var first = await LoginAsync(server, "i");
        var result = Reload(server, Base.Replace("I { users: [{user: i, password: i}] }", "I { users: [{user: i, password: i}], limits: {max_connections: 1} }"));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await using var second = await RawClient.ConnectAsync(server.Port);
        await second.SendAsync("CONNECT {\"verbose\":false,\"user\":\"i\",\"pass\":\"i\"}\r\nPING\r\n");
        await second.ExpectErrAndCloseAsync("maximum account active connections exceeded");
        await first.PingAsync();
    }

    private sealed record JetStreamSetting(bool Enabled);

    private sealed class SettingsHook(bool reject) : IReloadHook<AccountSettings<JetStreamSetting>>
    {
        public List<AccountSettings<JetStreamSetting>> Applied { get; } = [];

        public void Validate(AccountSettings<JetStreamSetting> current, AccountSettings<JetStreamSetting> proposed, ReloadValidation validation)
        {
            if (reject)
            {
                validation.Reject("accounts.*.jetstream", "not today");
            }
        }

        public void Apply(AccountSettings<JetStreamSetting> current, AccountSettings<JetStreamSetting> proposed) => Applied.Add(proposed);
    }

    private static JetStreamSetting ParseJetStream(ConfValue value) => value.AsString() switch
    {
        "enabled" => new JetStreamSetting(true),
        "disabled" => new JetStreamSetting(false),
        _ => throw new ConfigException(value.Position, $"jetstream: expected enabled or disabled, got \"{value.AsString()}\""),
    };

    [Test]
    public async Task An_account_key_reaches_the_plugin_that_binds_it_and_reloads()
    {
        await using var server = new NatsServer(Config("""
            accounts { A { jetstream: enabled }, B { }, C { jetstream: disabled } }
            """));
        var hook = new SettingsHook(reject: false);
        var section = server.Config.BindAccountKey("jetstream", ParseJetStream, hook);
        await server.StartAsync();

        Assert.That(section.Current.For("A"), Is.EqualTo(new JetStreamSetting(true)));
        Assert.That(section.Current.For("B"), Is.Null);
        Assert.That(section.Current.For("C"), Is.EqualTo(new JetStreamSetting(false)));
        Assert.That(server.Options.Auth.Accounts.Single(a => a.Name == "A").PluginKeys.Select(k => k.Key), Is.EqualTo(new[] { "jetstream" }));

        // Unchanged: no apply. Changed: applied, and the section shows the new settings.
        Assert.That(Reload(server, "accounts { A { jetstream: enabled }, B { }, C { jetstream: disabled } }").Success, Is.True);
        Assert.That(hook.Applied, Is.Empty);
        var result = Reload(server, "accounts { A { jetstream: enabled }, B { jetstream: enabled }, C { } }");
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(hook.Applied, Has.Count.EqualTo(1));
        Assert.That(section.Current.For("B"), Is.EqualTo(new JetStreamSetting(true)));
        Assert.That(section.Current.For("C"), Is.Null);

        // A value the plugin refuses rejects the whole reload, kernel changes included.
        result = Reload(server, "accounts { A { jetstream: maybe }, NEW { } }");
        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains("accounts.*.jetstream: test.conf:1:27: jetstream: expected enabled or disabled, got \"maybe\""));
        Assert.That(server.Accounts.Find("NEW"), Is.Null);
        Assert.That(section.Current.For("B"), Is.EqualTo(new JetStreamSetting(true)));
    }

    [Test]
    public async Task An_account_key_without_a_hook_cannot_change_live()
    {
        await using var server = new NatsServer(Config("accounts { A { jetstream: enabled } }"));
        var section = server.Config.BindAccountKey("jetstream", ParseJetStream);
        await server.StartAsync();

        var result = Reload(server, "accounts { A { jetstream: disabled }, B { } }");

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.StartsWith("accounts.*.jetstream: config reload not supported"));
        Assert.That(server.Accounts.Find("B"), Is.Null);
        Assert.That(section.Current.For("A"), Is.EqualTo(new JetStreamSetting(true)));
    }
}
