using Nats.Core.Config;
using Nats.Core.Config.Binding;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using NATS.Net;

namespace Nats.JetStream.Tests.EndToEnd;

/// <summary>Which accounts get JetStream, their limits, and reloads of the accounts' keys.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class AccountsTests
{
    private static string Accounts(string bJetStream) => $$"""
        accounts {
          A { jetstream: enabled, users: [{user: a, password: a}] }
          B { {{bJetStream}} users: [{user: b, password: b}] }
          C { jetstream: { max_streams: 1, max_file: 1G }, users: [{user: c, password: c}] }
        }
        """;

    [Test]
    public async Task Only_accounts_that_enable_jetstream_get_it_with_their_limits(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync(Accounts(""));
        Assert.That(server.Plugin.EnabledAccounts, Is.EqualTo(new[] { "A", "C" }));

        await using (var a = server.Client("a", "a"))
        {
            var js = a.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("S", ["s.>"]), ct);
            (await js.PublishAsync("s.1", "x", cancellationToken: ct)).EnsureSuccess();
        }
        await using (var b = server.Client("b", "b"))
        {
            var error = Assert.ThrowsAsync<NatsJSApiException>(async () => await b.CreateJetStreamContext().GetAccountInfoAsync(ct))!;
            Assert.That((error.Error.Code, error.Error.ErrCode), Is.EqualTo((503, 10039)));
        }
        await using (var c = server.Client("c", "c"))
        {
            var js = c.CreateJetStreamContext();
            await js.CreateStreamAsync(new StreamConfig("ONE", ["one"]), ct);
            var error = Assert.ThrowsAsync<NatsJSApiException>(async () => await js.CreateStreamAsync(new StreamConfig("TWO", ["two"]), ct))!;
            Assert.That(error.Error.ErrCode, Is.EqualTo(10027));
            var info = await js.GetAccountInfoAsync(ct);
            Assert.That((info.Limits.MaxStreams, info.Limits.MaxStorage), Is.EqualTo((1, 1_000_000_000L)), "1G in a config file is 10^9, as nats-server reads it");
        }
        Assert.That(Directory.Exists(Path.Combine(server.StoreDir, "jetstream", "A", "streams", "S")), Is.True, "<store_dir>/jetstream/<account>/streams/<stream>");
    }

    [Test]
    public async Task A_reload_enables_an_account_and_a_change_of_the_server_block_is_refused(CancellationToken ct)
    {
        await using var server = await JetStreamServer.StartAsync(Accounts(""));
        var dir = server.StoreDir;
        var enabled = ServerOptionsBinder.Bind(ConfParser.ParseString($"jetstream {{ store_dir: \"{dir}\" }}\n" + Accounts("jetstream: enabled,"), "js.conf")).Options;
        enabled.Host = "127.0.0.1";
        enabled.Port = -1;
        var result = server.Server.Reload(enabled);
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(server.Plugin.EnabledAccounts, Is.EqualTo(new[] { "A", "B", "C" }));
        await using (var b = server.Client("b", "b"))
        {
            await b.CreateJetStreamContext().CreateStreamAsync(new StreamConfig("NOW", ["now"]), ct);
        }

        var moved = ServerOptionsBinder.Bind(ConfParser.ParseString($"jetstream {{ store_dir: \"{dir}-other\" }}\n" + Accounts("jetstream: enabled,"), "js.conf")).Options;
        moved.Host = "127.0.0.1";
        moved.Port = -1;
        var refused = server.Server.Reload(moved);
        Assert.That(refused.Success, Is.False);
        Assert.That(refused.Errors, Has.Some.Contains("jetstream"));
    }

    [Test]
    public void Bad_values_are_refused_with_their_position()
    {
        static JetStreamOptionsProbe Parse(string text) => new(text);
        Assert.That(Parse("jetstream { max_file_store: \"10X\" }").Error, Does.Contain("js.conf:1:29: max_file_store sizes defined as strings must end in K, M, G, T"));
        Assert.That(Parse("jetstream: maybe").Error, Does.Contain("Expected 'enabled' or 'disabled' for string value, got 'maybe'"));
        Assert.That(Parse("jetstream { bogus: 1 }").Error, Does.Contain("unknown field \"bogus\""));
        Assert.That(Parse("jetstream { max_mem: \"2G\", max_file: 1G, domain: hub, sync: \"1s\" }").Options,
            Is.EqualTo(new Nats.JetStream.Server.JetStreamOptions { Enabled = true, MaxMemory = 2L << 30, MaxStore = 1_000_000_000, Domain = "hub", Sync = Nats.JetStream.Storage.SyncMode.Interval, SyncInterval = TimeSpan.FromSeconds(1) }));
        Assert.That(Parse("jetstream { enabled: false }").Options!.Enabled, Is.False);
    }

    private sealed class JetStreamOptionsProbe
    {
        public JetStreamOptionsProbe(string text)
        {
            try
            {
                var map = ConfParser.ParseString(text, "js.conf");
                Options = Nats.JetStream.Server.JetStreamOptions.Parse(map.TryGet("jetstream", out var v) ? v : null, null, new FlagOverrides());
            }
            catch (ConfigException e)
            {
                Error = e.Message;
            }
        }

        public Nats.JetStream.Server.JetStreamOptions? Options { get; }

        public string? Error { get; }
    }
}
