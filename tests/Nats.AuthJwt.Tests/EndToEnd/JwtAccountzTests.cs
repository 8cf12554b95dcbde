using System.Text.Json;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// <c>/accountz?acc=&lt;id&gt;</c> for JWT accounts, from this server and nats-server 2.9.10 with the same
/// JWTs: an exporter with revoked users and a private export with a revoked activation, importers
/// with a valid and a revoked activation, and an account whose JWT expired while loaded. Same
/// fields in the same order, same values where they do not depend on the process.
/// </summary>
[TestFixture]
[CancelAfter(90_000)]
public sealed class JwtAccountzTests
{
    [Test]
    public async Task Accountz_of_jwt_accounts_matches_the_reference_server()
    {
        using var setup = new OperatorSetup();
        var scenario = Scenario.Create(setup);

        var ourHttp = FreePorts.Take();
        await using var ours = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), scenario.Jwts) + $"\nhttp: \"127.0.0.1:{ourHttp}\"\n");
        var oursRun = CaptureAsync(ours.Port, ourHttp, scenario);
        ReferenceServer? reference = null;
        Task<Dictionary<string, JsonElement>>? referenceRun = null;
        if (ReferenceServer.FindBinary() is not null)
        {
            var referenceHttp = FreePorts.Take();
            var referencePort = FreePorts.Take();
            reference = await ReferenceServer.StartAsync(setup.MemoryConfig(referencePort, scenario.Jwts) + $"\nhttp: \"127.0.0.1:{referenceHttp}\"\n", referencePort);
            referenceRun = CaptureAsync(referencePort, referenceHttp, scenario);
        }
        try
        {
            var actual = await oursRun;
            Assert.Multiple(() =>
            {
                Assert.That(actual["BRIEF"].GetProperty("expired").GetBoolean(), Is.True);
                Assert.That(Raw(actual["BRIEF"], "validation_result_jwt"), Is.EqualTo("""[{"description":"claim is expired","blocking":false,"time_check":true}]"""));
                Assert.That(actual["CUTOFF"].GetProperty("complete").GetBoolean(), Is.False, "its import's activation is revoked");
                Assert.That(Raw(actual["EXP"], "revoked_user"), Is.EqualTo($$"""{"{{scenario.RevokedUser}}":"{{GoTime(scenario.RevokedAt)}}"}"""));
                Assert.That(Exports(actual["EXP"]), Is.EqualTo(new[]
                {
                    $$$"""{"subject":"private.>","type":"stream","token_req":true,"revoked_activations":{"{{{scenario.Accounts[2].Key}}}":"{{{GoTime(scenario.RevokedAt)}}}"}}""",
                    """{"subject":"public.>","type":"stream"}""",
                    """{"subject":"svc.>","type":"service","token_req":true,"response_type":"Streamed"}""",
                }));
                Assert.That(Imports(actual["IMP"], scenario.SystemAccount), Is.EqualTo(new[] { "private.> stream valid", "svc.> service valid" }), "imports of private exports held with activations");
            });
            if (referenceRun is null)
            {
                Assert.Ignore("nats-server is not installed (./test.sh installs it): compared with 2.9.10's recorded answers only");
            }
            var expected = await referenceRun;
            foreach (var (name, detail) in expected)
            {
                var ourDetail = actual[name];
                TestContext.Out.WriteLine($"{name}: reference {string.Join(",", Keys(detail))}\n{name}: ours      {string.Join(",", Keys(ourDetail))}");
                Assert.Multiple(() =>
                {
                    Assert.That(Keys(ourDetail), Is.EqualTo(Keys(detail)), $"{name}: fields and their order");
                    foreach (var field in new[] { "account_name", "expired", "complete", "jetstream_enabled", "leafnode_connections", "client_connections", "jwt", "issuer_key", "name_tag", "validation_result_jwt", "revoked_user" })
                    {
                        Assert.That(Raw(ourDetail, field), Is.EqualTo(Raw(detail, field)), $"{name}: {field}");
                    }
                    Assert.That(Exports(ourDetail), Is.EqualTo(Exports(detail)), $"{name}: exports");
                    Assert.That(Imports(ourDetail, scenario.SystemAccount), Is.EqualTo(Imports(detail, scenario.SystemAccount)), $"{name}: imports other than the system's");
                    // subscriptions differ by design: the kernel serves 2.10's $SYS.REQ.USER.INFO too, and wires
                    // a stream import and a service import's responses as subscriptions in the exporter at once
                    // (nats-server adds shadow subscriptions as importers subscribe, response ones per request).
                });
            }
        }
        finally
        {
            if (reference is not null)
            {
                await reference.DisposeAsync();
            }
        }
    }

    private static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static string? Raw(JsonElement element, string field) => element.TryGetProperty(field, out var value) ? Compact(value) : null;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Compact(JsonElement value) => JsonSerializer.Serialize(value, Relaxed);

    private static string GoTime(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The exports, compact, by subject (nats-server lists them in map order).</summary>
    private static string[] Exports(JsonElement detail) =>
        detail.TryGetProperty("exports", out var exports) ? [.. exports.EnumerateArray().Select(Compact).Order(StringComparer.Ordinal)] : [];

    /// <summary>
    /// The imports other than the system services (2.9.10 and the kernel, which follows 2.10, name
    /// those from opposite ends), by subject: subject, type, invalid.
    /// </summary>
    private static string[] Imports(JsonElement detail, string systemAccount) =>
        detail.TryGetProperty("imports", out var imports)
            ? [.. imports.EnumerateArray()
                .Where(i => i.GetProperty("account").GetString() != systemAccount)
                .Select(i => $"{i.GetProperty("subject").GetString()} {i.GetProperty("type").GetString()} {(i.GetProperty("invalid").GetBoolean() ? "invalid" : "valid")}")
                .Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Loads every account with a user (the expiring one's user is disconnected at expiry), then reads each detail.</summary>
    private static async Task<Dictionary<string, JsonElement>> CaptureAsync(int port, int httpPort, Scenario scenario)
    {
        var clients = new List<RawClient>();
        try
        {
            foreach (var user in scenario.Users)
            {
                var raw = await RawClient.ConnectAsync(port);
                clients.Add(raw);
                raw.AnswerPings = true;
                await raw.SendAsync(user.Connect(raw.Info.GetProperty("nonce").GetString()!) + "\r\nPING\r\n");
                await raw.ExpectLineAsync("PONG");
            }
            var wait = scenario.Expires - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1.5);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var details = new Dictionary<string, JsonElement>();
            foreach (var (name, key) in scenario.Accounts)
            {
                var body = await http.GetStringAsync(new Uri($"http://127.0.0.1:{httpPort}/accountz?acc={key}"));
                details[name] = JsonDocument.Parse(body).RootElement.GetProperty("account_detail").Clone();
            }
            return details;
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private sealed record Scenario(string[] Jwts, TestUser[] Users, (string Name, string Key)[] Accounts, DateTimeOffset Expires, string RevokedUser, DateTimeOffset RevokedAt, string SystemAccount)
    {
        public static Scenario Create(OperatorSetup setup)
        {
            var exporter = setup.NewAccount("EXP");
            var importer = setup.NewAccount("IMP");
            var cutOff = setup.NewAccount("CUTOFF");
            var brief = setup.NewAccount("BRIEF");
            var past = DateTimeOffset.UtcNow.AddMinutes(-10);
            var revoked = setup.NewUser(exporter, "revoked", issuedAt: past);
            var revokedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds());
            var exporterJwt = setup.AccountJwt(exporter, a =>
            {
                a.Nats.Revocations = new RevocationList();
                a.Nats.Revocations.Revoke(revoked.Key.PublicKey, revokedAt);
                var activations = new RevocationList();
                activations.Revoke(cutOff.Key.PublicKey, revokedAt);
                a.Nats.Exports =
                [
                    new Export { Name = "private", Subject = "private.>", Type = ExportType.Stream, TokenRequired = true, Revocations = activations },
                    new Export { Name = "svc", Subject = "svc.>", Type = ExportType.Service, TokenRequired = true, ResponseType = "Stream" },
                    new Export { Name = "public", Subject = "public.>", Type = ExportType.Stream },
                ];
            });
            string Activation(TestAccount holder, string subject, ExportType type) =>
                JwtCodec.Encode(new ActivationClaims { Subject = holder.Key.PublicKey, Name = subject, Nats = { ImportSubject = subject, ImportType = type } }, exporter.Key, past);
            var importerJwt = setup.AccountJwt(importer, a => a.Nats.Imports =
            [
                new Import { Name = "private", Subject = "private.>", Account = exporter.Key.PublicKey, Type = ExportType.Stream, Token = Activation(importer, "private.>", ExportType.Stream) },
                new Import { Name = "svc", Subject = "svc.>", Account = exporter.Key.PublicKey, Type = ExportType.Service, Token = Activation(importer, "svc.>", ExportType.Service) },
            ]);
            var cutOffJwt = setup.AccountJwt(cutOff, a => a.Nats.Imports =
            [
                new Import { Name = "private", Subject = "private.>", Account = exporter.Key.PublicKey, Type = ExportType.Stream, Token = Activation(cutOff, "private.>", ExportType.Stream) },
            ]);
            // Long enough for both servers to start and admit its user first, on a loaded machine too.
            var expires = DateTimeOffset.UtcNow.AddSeconds(20);
            var briefJwt = setup.AccountJwt(brief, a => a.Expires = expires.ToUnixTimeSeconds());
            return new Scenario(
                [exporterJwt, importerJwt, cutOffJwt, briefJwt],
                [setup.NewUser(brief, "b"), setup.NewUser(exporter, "e"), setup.NewUser(importer, "i"), setup.NewUser(cutOff, "c")],
                [("EXP", exporter.Key.PublicKey), ("IMP", importer.Key.PublicKey), ("CUTOFF", cutOff.Key.PublicKey), ("BRIEF", brief.Key.PublicKey)],
                expires,
                revoked.Key.PublicKey,
                revokedAt,
                setup.SystemAccount.Key.PublicKey);
        }
    }
}
