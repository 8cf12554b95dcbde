using Nats.JetStream.Tests.EndToEnd;
using Nats.TestSupport;
using NATS.Client.Core;

namespace Nats.JetStream.Tests.Reference;

/// <summary>
/// What a client of the system account gets from the JetStream API: nats-server 2.9.10 answers
/// <c>$JS.API.INFO</c> with 10039 (<c>account_info_response</c>) and drops every other request
/// unanswered; this server answers <c>$JS.API.INFO</c> byte for byte the same and the others with
/// nats-server 2.10+'s <c>system_response</c> 10039 (a clear error instead of a timeout). An
/// account without JetStream answers every API request with 10039 in that request's own response
/// type in both.
/// </summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class SystemAccountReferenceTests
{
    private const string Accounts = """
        system_account: SYS
        accounts {
          SYS { users: [{user: sys, password: sys}] }
          A { jetstream: enabled, users: [{user: a, password: a}] }
          B { users: [{user: b, password: b}] }
        }
        """;

    private const string NotEnabledInfo =
        """{"type":"io.nats.jetstream.api.v1.account_info_response","error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}}""";

    [Test]
    public async Task The_system_account_is_told_jetstream_is_not_enabled(CancellationToken ct)
    {
        ReferenceServer.RequireInstalled();
        var port = FreePorts.Take();
        var refDir = Directory.CreateTempSubdirectory("refsys").FullName;
        string? refInfo, refNames, refBInfo, refBCreate, refBConsumer, refBNames;
        try
        {
            await using var reference = await ReferenceServer.StartAsync($"port: {port}\njetstream {{ store_dir: \"{refDir}\" }}\n" + Accounts, port);
            var url = $"nats://127.0.0.1:{port}";
            refInfo = await AskAsync(url, "sys", "$JS.API.INFO", ct);
            refNames = await AskAsync(url, "sys", "$JS.API.STREAM.NAMES", ct);
            refBInfo = await AskAsync(url, "b", "$JS.API.INFO", ct);
            refBCreate = await AskAsync(url, "b", "$JS.API.STREAM.CREATE.S", ct);
            refBConsumer = await AskAsync(url, "b", "$JS.API.CONSUMER.INFO.S.C", ct);
            refBNames = await AskAsync(url, "b", "$JS.API.STREAM.NAMES", ct);
        }
        finally
        {
            Directory.Delete(refDir, recursive: true);
        }
        Assert.That(refInfo, Is.EqualTo(NotEnabledInfo), "nats-server 2.9.10's answer");
        Assert.That(refNames, Is.Null, "nats-server 2.9.10 drops the system account's other API requests");
        Assert.That(refBInfo, Is.EqualTo(NotEnabledInfo));
        Assert.That(refBCreate, Does.Contain("stream_create_response").And.Contain("10039"), "nats-server 2.9.10 answers each request in its own type");
        Assert.That(refBNames, Does.Contain("stream_names_response").And.Contain("10039"));

        await using var server = await JetStreamServer.StartAsync(Accounts);
        Assert.That(server.Plugin.EnabledAccounts, Is.EqualTo(new[] { "A" }));
        Assert.That(await AskAsync(server.Url, "sys", "$JS.API.INFO", ct), Is.EqualTo(refInfo));
        Assert.That(await AskAsync(server.Url, "b", "$JS.API.INFO", ct), Is.EqualTo(refBInfo));
        Assert.That(await AskAsync(server.Url, "b", "$JS.API.STREAM.CREATE.S", ct), Is.EqualTo(refBCreate));
        Assert.That(await AskAsync(server.Url, "b", "$JS.API.CONSUMER.INFO.S.C", ct), Is.EqualTo(refBConsumer));
        // nats-server adds the list's empty fields (total, offset…); the type and error are the same.
        Assert.That(await AskAsync(server.Url, "b", "$JS.API.STREAM.NAMES", ct), Does.Contain("stream_names_response").And.Contain("10039"));
        var systemResponse = """{"type":"io.nats.jetstream.api.v1.system_response","error":{"code":503,"err_code":10039,"description":"JetStream not enabled for account"}}""";
        foreach (var subject in new[] { "$JS.API.STREAM.NAMES", "$JS.API.STREAM.CREATE.S", "$JS.API.CONSUMER.MSG.NEXT.S.C", "$JS.API.DIRECT.GET.S" })
        {
            Assert.That(await AskAsync(server.Url, "sys", subject, ct), Is.EqualTo(systemResponse), subject);
        }
        Assert.That(await AskAsync(server.Url, "a", "$JS.API.STREAM.NAMES", ct), Does.Contain("stream_names_response").And.Not.Contain("error"),
            "a JetStream account is served as before");
    }

    [Test]
    public async Task An_account_importing_another_accounts_jetstream_api_gets_only_its_answers(CancellationToken ct)
    {
        const string importing = """
            accounts {
              A { jetstream: enabled, users: [{user: a, password: a}], exports: [{service: "$JS.API.>"}] }
              D { users: [{user: d, password: d}], imports: [{service: {account: A, subject: "$JS.API.>"}}] }
            }
            """;
        await using var server = await JetStreamServer.StartAsync(importing);
        await using var d = new NatsConnection(new NatsOpts { Url = server.Url, AuthOpts = new NatsAuthOpts { Username = "d", Password = "d" } });
        var inbox = d.NewInbox();
        await using var replies = await d.SubscribeCoreAsync<string>(inbox, cancellationToken: ct);
        await d.PublishAsync("$JS.API.INFO", "", replyTo: inbox, cancellationToken: ct);
        var first = await replies.Msgs.ReadAsync(ct);
        Assert.That(first.Data, Does.Contain("account_info_response").And.Not.Contain("\"error\":"), "A's JetStream answers through the import");
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(TimeSpan.FromMilliseconds(500));
        Assert.That(async () => await replies.Msgs.ReadAsync(quiet.Token), Throws.InstanceOf<OperationCanceledException>(),
            "D's own 'not enabled' answer stays out of the way of the import");
    }

    /// <summary>The answer's body, or null when none came within a second (or no one responded).</summary>
    private static async Task<string?> AskAsync(string url, string user, string subject, CancellationToken ct)
    {
        await using var c = new NatsConnection(new NatsOpts { Url = url, AuthOpts = new NatsAuthOpts { Username = user, Password = user } });
        try
        {
            var reply = await c.RequestAsync<string, string>(subject, "", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) }, cancellationToken: ct);
            return reply.Data;
        }
        catch (NatsNoReplyException)
        {
            return null;
        }
        catch (NatsNoRespondersException)
        {
            return null;
        }
    }
}
