using System.Diagnostics;
using System.Net;
using NATS.Client.Core;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.AuthJwt.Plugin;
using Nats.Core;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>Expiry, the URL resolver, private exports, configuration rules and reload, in-process.</summary>
[TestFixture]
[CancelAfter(60_000)]
public sealed class OperatorModeBehaviourTests
{
    private static NatsConnection Client(string url, string creds) => new(NatsOpts.Default with
    {
        Url = url,
        AuthOpts = NatsAuthOpts.Default with { CredsFile = creds },
        MaxReconnectRetry = 0,
        ConnectTimeout = TimeSpan.FromSeconds(5),
    });

    [Test]
    public async Task A_connected_user_is_disconnected_when_its_jwt_expires()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var user = setup.NewUser(account, "brief", u => u.Expires = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds());
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(account)));
        await using var raw = await RawClient.ConnectAsync(server.Port);
        raw.Timeout = TimeSpan.FromSeconds(10);
        await raw.SendAsync(user.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        await raw.ExpectLineAsync("PONG");
        Assert.That(await raw.ReadUntilClosedAsync(), Does.Contain("-ERR 'User Authentication Expired'"));
    }

    [Test]
    public async Task The_url_resolver_fetches_accounts_and_a_slow_one_delays_only_its_own_clients()
    {
        using var setup = new OperatorSetup();
        var fast = setup.NewAccount("FAST");
        var jwts = new System.Collections.Concurrent.ConcurrentDictionary<string, string> { [fast.Key.PublicKey] = setup.AccountJwt(fast) };
        // A slow account's fetch is held until the test lets it go: no wall-clock bound tells
        // "not held up" from "held up" (a loaded machine stretched the client's connect past one).
        var slowKeys = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var slowAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var httpPort = FreePorts.Take();
        using var http = new HttpListener();
        http.Prefixes.Add($"http://127.0.0.1:{httpPort}/");
        http.Start();
        var requests = 0;
        _ = Task.Run(async () =>
        {
            while (http.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await http.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref requests);
                var key = context.Request.Url!.Segments.Last();
                _ = Task.Run(async () =>
                {
                    if (slowKeys.ContainsKey(key))
                    {
                        var held = Volatile.Read(ref release);
                        Volatile.Read(ref slowAsked).TrySetResult();
                        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
                    }
                    try
                    {
                        if (jwts.TryGetValue(key, out var jwt))
                        {
                            var body = System.Text.Encoding.UTF8.GetBytes(jwt);
                            await context.Response.OutputStream.WriteAsync(body);
                        }
                        else
                        {
                            context.Response.StatusCode = 404;
                        }
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        // The server gave up on a held fetch (its 1.9 s timeout) and went away.
                    }
                });
            }
        });
        var config = $$"""
            host: 127.0.0.1
            port: {{FreePorts.Take()}}
            operator: "{{setup.OperatorJwt}}"
            system_account: {{setup.SystemAccount.Key.PublicKey}}
            resolver: URL("http://127.0.0.1:{{httpPort}}/jwt/v1/accounts/")
            """;
        await using var server = await JwtServer.StartAsync(config);

        await using (var first = Client(server.Url, setup.NewUser(fast, "first").CredsPath))
        {
            await first.ConnectAsync();
        }

        // A client of the known account is answered while a slow account's fetch is held. The
        // server gives a fetch 1.9 s: when a loaded machine takes longer than that to answer the
        // second client, the slow client is refused and the attempt says nothing, so it is made
        // again with a fresh slow account. A server that held the second client behind the fetch
        // would answer it only once the fetch timed out, in every attempt.
        var attempts = 0;
        var outcomes = new List<string>();
        while (true)
        {
            attempts++;
            var slow = setup.NewAccount("SLOW" + attempts);
            jwts[slow.Key.PublicKey] = setup.AccountJwt(slow);
            slowKeys[slow.Key.PublicKey] = true;
            await using var slowClient = await RawClient.ConnectAsync(server.Port);
            slowClient.Timeout = TimeSpan.FromSeconds(15);
            await slowClient.SendAsync(setup.NewUser(slow, "slow").Connect(slowClient.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
            await slowAsked.Task.WaitAsync(TimeSpan.FromSeconds(15));

            await using (var second = await RawClient.ConnectAsync(server.Port))
            {
                second.Timeout = TimeSpan.FromSeconds(15);
                await second.SendAsync(setup.NewUser(fast, "second" + attempts).Connect(second.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
                await second.ExpectLineAsync("PONG");
            }
            var heldFetch = release;
            Volatile.Write(ref slowAsked, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            Volatile.Write(ref release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            heldFetch.SetResult();
            var answer = await slowClient.ReadLineAsync();
            outcomes.Add(answer);
            if (answer == "PONG")
            {
                break;
            }
            Assert.That(answer, Is.EqualTo("-ERR 'Authorization Violation'"), "the slow fetch timed out");
            if (attempts == 3)
            {
                Assert.Fail("a client of a known account was never answered within a slow fetch's 1.9 s: " + string.Join(", ", outcomes));
            }
        }

        await using var stranger = await RawClient.ConnectAsync(server.Port);
        await stranger.SendAsync(setup.NewUser(setup.NewAccount("GONE"), "x").Connect(stranger.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
        await stranger.ExpectErrAndCloseAsync("Authorization Violation");
        Assert.That(requests, Is.EqualTo(2 + attempts), "FAST once (then known), each SLOW once, GONE once");
    }

    [Test]
    public async Task A_private_service_export_serves_only_importers_with_a_valid_activation()
    {
        using var setup = new OperatorSetup();
        var exporter = setup.NewAccount("EXP");
        var holder = setup.NewAccount("HOLDER");
        var freeloader = setup.NewAccount("FREE");
        var activation = new ActivationClaims { Subject = holder.Key.PublicKey, Name = "svc" };
        activation.Nats.ImportSubject = "svc.>";
        activation.Nats.ImportType = ExportType.Service;
        var token = JwtCodec.Encode(activation, exporter.Key);
        var exporterJwt = setup.AccountJwt(exporter, a => a.Nats.Exports = [new Export { Name = "svc", Subject = "svc.>", Type = ExportType.Service, TokenRequired = true }]);
        var holderJwt = setup.AccountJwt(holder, a => a.Nats.Imports = [new Import { Name = "svc", Subject = "svc.>", Account = exporter.Key.PublicKey, Type = ExportType.Service, Token = token }]);
        var freeJwt = setup.AccountJwt(freeloader, a => a.Nats.Imports = [new Import { Name = "svc", Subject = "svc.>", Account = exporter.Key.PublicKey, Type = ExportType.Service }]);
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), exporterJwt, holderJwt, freeJwt));

        await using var service = Client(server.Url, setup.NewUser(exporter, "service").CredsPath);
        await using var holderClient = Client(server.Url, setup.NewUser(holder, "h").CredsPath);
        await using var freeClient = Client(server.Url, setup.NewUser(freeloader, "f").CredsPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await holderClient.ConnectAsync();
        await freeClient.ConnectAsync();
        await using var requests = await service.SubscribeCoreAsync<string>("svc.>", cancellationToken: cts.Token);
        _ = Task.Run(async () =>
        {
            await foreach (var msg in requests.Msgs.ReadAllAsync(cts.Token))
            {
                await msg.ReplyAsync("served " + msg.Data, cancellationToken: cts.Token);
            }
        }, cts.Token);
        await service.PingAsync(cts.Token);

        var reply = await holderClient.RequestAsync<string, string>("svc.echo", "holder", cancellationToken: cts.Token);
        Assert.That(reply.Data, Is.EqualTo("served holder"));
        Assert.That(async () => await freeClient.RequestAsync<string, string>("svc.echo", "free", replyOpts: new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) }, cancellationToken: cts.Token),
            Throws.InstanceOf<NatsNoRespondersException>().Or.InstanceOf<NatsNoReplyException>());
    }

    [Test]
    public void Operator_mode_refuses_configured_accounts_users_and_a_missing_resolver_as_nats_server_does()
    {
        using var setup = new OperatorSetup();
        string Base(string extra) => $"port: -1\noperator: \"{setup.OperatorJwt}\"\nsystem_account: {setup.SystemAccount.Key.PublicKey}\n{extra}\n";
        var cases = new Dictionary<string, string>
        {
            [Base("")] = "operators require an account resolver to be configured",
            [Base("resolver: MEMORY\naccounts { A { } }")] = "operators do not allow Accounts to be configured directly",
            [Base("resolver: MEMORY\nauthorization { users: [ { user: u, password: p } ] }")] = "operators do not allow users to be configured directly",
        };
        foreach (var (config, error) in cases)
        {
            var server = new NatsServer(JwtServer.Options(config));
            var refused = Assert.Throws<PluginException>(() => server.AddPlugin(new AuthJwtPlugin()))!;
            Assert.That(refused.Message, Does.Contain(error));
        }
    }

    [Test]
    public async Task Reload_applies_a_changed_preload_and_refuses_a_changed_operator()
    {
        using var setup = new OperatorSetup();
        var exporter = setup.NewAccount("EXP");
        var importer = setup.NewAccount("IMP");
        var importerJwt = setup.AccountJwt(importer, a => a.Nats.Imports = [new Import { Name = "e", Subject = "events.>", Account = exporter.Key.PublicKey, Type = ExportType.Stream }]);
        var port = FreePorts.Take();
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(port, setup.AccountJwt(exporter, issuedAt: DateTimeOffset.UtcNow.AddSeconds(-5)), importerJwt));
        await using var publisher = Client(server.Url, setup.NewUser(exporter, "pub").CredsPath);
        await using var subscriber = Client(server.Url, setup.NewUser(importer, "sub").CredsPath);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await publisher.ConnectAsync();
        await using var events = await subscriber.SubscribeCoreAsync<string>("events.>", cancellationToken: cts.Token);
        await subscriber.PingAsync(cts.Token);

        var exporting = setup.AccountJwt(exporter, a => a.Nats.Exports = [new Export { Subject = "events.>", Type = ExportType.Stream }]);
        var result = server.Server.Reload(JwtServer.Options(setup.MemoryConfig(port, exporting, importerJwt)));
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await publisher.PublishAsync("events.reloaded", "after reload", cancellationToken: cts.Token);
        Assert.That((await events.Msgs.ReadAsync(cts.Token)).Data, Is.EqualTo("after reload"));

        using var other = new OperatorSetup();
        var refused = server.Server.Reload(JwtServer.Options(other.MemoryConfig(port)));
        Assert.That(refused.Success, Is.False);
        Assert.That(string.Join("; ", refused.Errors), Does.Contain("operator"));
    }
}
