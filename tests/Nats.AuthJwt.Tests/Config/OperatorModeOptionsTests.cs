using Nats.AuthJwt.Config;
using Nats.Core.Config;

namespace Nats.AuthJwt.Tests.Config;

/// <summary>Operator-mode and auth callout configuration, including nats-server's own test configs.</summary>
[CancelAfter(10_000)]
public sealed class OperatorModeOptionsTests
{
    private static OperatorModeOptions Parse(string text) => OperatorModeOptions.Parse(ConfParser.ParseString(text, "test.conf"));

    [Test]
    public void TwoInlineOperatorsFromNatsServersTest()
    {
        // server/opts_test.go TestReadMultipleOperatorJWT.
        var options = OperatorModeOptions.Parse(ConfParser.ParseFile(OfficialVectors.VectorPath("operator_list.conf")));

        Assert.That(options.Operators, Has.Count.EqualTo(2));
        Assert.That(options.Operators[0].Name, Is.EqualTo("OP"));
        Assert.That(options.Operators[1].Name, Is.EqualTo("op2"));
        Assert.That(options.Operators[0].Nats.SystemAccount, Is.EqualTo("ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ"));
        Assert.That(options.Operators[1].Nats.SystemAccount, Is.EqualTo("ACQTWVGSGHYVY3R6D2WMO3V6LV2MGK5B7G47E43BHJB6FQVY7EHNTMMG"));
        Assert.That(options.OperatorSystemAccount, Is.Null, "only a single operator provides the system account");
        Assert.That(options.Validate("SYSACC", false, false, false, (2, 11, 0)), Does.Contain("operators require an account resolver to be configured"));
    }

    [Test]
    public void OperatorAccountServerUrlImpliesTheUrlResolver()
    {
        // server/opts_test.go TestReadOperatorJWT.
        var options = OperatorModeOptions.Parse(ConfParser.ParseFile(OfficialVectors.VectorPath("operator_url_resolver.conf")));

        Assert.That(options.OperatorSystemAccount, Is.EqualTo("ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ"));
        Assert.That(options.Resolver, Is.EqualTo(new UrlResolverOptions("http://localhost:8000/jwt/v1/accounts/", FromOperator: true)));
    }

    [Test]
    public void OperatorFromAFileAndMemoryResolverWithPreload()
    {
        var dir = Directory.CreateTempSubdirectory("authjwt-conf-");
        try
        {
            var opFile = Path.Combine(dir.FullName, "op.jwt");
            File.Copy(OfficialVectors.VectorPath("op.jwt"), opFile);
            var options = Parse($$"""
                operator: "{{opFile}}"
                resolver: MEMORY
                resolver_preload: {
                  {{OfficialVectors.PreloadAccount1Key}}: "{{OfficialVectors.PreloadAccount1Jwt}}"
                }
                """);

            Assert.That(options.Operators.Single().Subject, Is.EqualTo(OfficialVectors.TestOperatorKey));
            Assert.That(options.Resolver, Is.InstanceOf<MemoryResolverOptions>());
            Assert.That(options.Preload.Keys, Is.EqualTo(new[] { OfficialVectors.PreloadAccount1Key }));
            Assert.That(options.Validate(null, false, false, false, (2, 11, 0)), Is.Empty);
            Assert.That(options.Trust().IsTrustedIssuer(OfficialVectors.TestOperatorKey), Is.True);
            Assert.That(options, Is.EqualTo(Parse($$"""
                operator: "{{opFile}}"
                resolver: MEM
                resolver_preload: { {{OfficialVectors.PreloadAccount1Key}}: "{{OfficialVectors.PreloadAccount1Jwt}}" }
                """)), "equal settings compare equal, so a reload sees no change");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Test]
    public void DirectoryResolvers()
    {
        var full = (DirectoryResolverOptions)Parse("""resolver { type: full, dir: "/tmp/x", allow_delete: true, interval: "2m" }""").Resolver!;
        var cache = (DirectoryResolverOptions)Parse("""resolver { type: cache, dir: "/tmp/x", ttl: "1h", limit: 10, timeout: "3s" }""").Resolver!;

        Assert.That(full.IsCache, Is.False);
        Assert.That(full.Delete, Is.EqualTo(DeleteMode.RenameDeleted));
        Assert.That(full.SyncInterval, Is.EqualTo(TimeSpan.FromMinutes(2)));
        Assert.That(full.Limit, Is.EqualTo(long.MaxValue));
        Assert.That(cache.IsCache, Is.True);
        Assert.That(cache.Ttl, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(cache.Limit, Is.EqualTo(10));
        Assert.That(cache.FetchTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
        Assert.That(Parse("""resolver: URL("http://127.0.0.1:9090/jwt/v1/accounts")""").Resolver,
            Is.EqualTo(new UrlResolverOptions("http://127.0.0.1:9090/jwt/v1/accounts/")));
    }

    [TestCase("""resolver { type: cache, dir: "/tmp/x", allow_delete: true }""", "test.conf:1:10: CACHE does not accept allow_delete")]
    [TestCase("""resolver { type: full, dir: "/tmp/x", ttl: "1h" }""", "test.conf:1:10: FULL does not accept ttl")]
    [TestCase("""resolver { type: full, dir: "/tmp/x", hard_delete: true }""", "test.conf:1:10: hard_delete has no effect without delete")]
    [TestCase("""resolver { type: full }""", "test.conf:1:10: dir has no value and needs to point to a directory")]
    [TestCase("""resolver: NOPE""", "test.conf:1:11: error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])")]
    [TestCase("""trusted: ["ABC"]""", "test.conf:1:10: trust key \"ABC\" required to be a valid public operator nkey")]
    [TestCase("""operator: "/no/such/op.jwt" """, "test.conf:1:11: error parsing operator JWT: open /no/such/op.jwt: no such file or directory")]
    [TestCase("""resolver_preload: { AX: "eyJnot" }""", "test.conf:1:25: invalid account JWT")]
    public void BadValuesAreRejectedAtTheirPosition(string text, string message)
    {
        Assert.That(() => Parse(text), Throws.InstanceOf<ConfigException>().With.Message.EqualTo(message));
    }

    [Test]
    public void OperatorModeRulesOfNatsServer()
    {
        var options = Parse($$"""
            operator: "{{OfficialVectors.JsOperatorJwt}}"
            trusted: ["{{OfficialVectors.JsOperatorKey}}"]
            resolver { type: full, dir: "/tmp/x" }
            """);

        var errors = options.Validate(null, hasConfiguredAccounts: true, hasConfiguredUsers: true, hasAuthCallout: true, (2, 11, 0));

        Assert.That(errors, Is.EquivalentTo(new[]
        {
            "operators do not allow Accounts to be configured directly",
            "operators do not allow users to be configured directly",
            "conflicting options for 'TrustedKeys' and 'TrustedOperators'",
            "using nats based account resolver - the system account needs to be specified in configuration or the operator jwt",
            "operators do not allow authorization callouts to be configured directly",
        }));
    }

    [Test]
    public void AuthCallout()
    {
        const string issuer = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA";
        var map = ConfParser.ParseString($$"""
            authorization {
              auth_callout {
                issuer: {{issuer}}
                auth_users: [ auth ]
                account: AUTH
              }
            }
            """, "test.conf");
        var callout = AuthCalloutOptions.Parse(map["authorization"].AsMap()["auth_callout"]);

        Assert.That(callout.Issuer, Is.EqualTo(issuer));
        Assert.That(callout.AuthUsers, Is.EqualTo(new[] { "auth" }));
        Assert.That(callout.Account, Is.EqualTo("AUTH"));
        Assert.That(() => AuthCalloutOptions.Parse(ConfParser.ParseString("c { auth_users: [a] }", "test.conf")["c"]),
            Throws.InstanceOf<ConfigException>().With.Message.EqualTo("test.conf:1:3: Authorization callouts require an issuer to be specified"));
        Assert.That(() => AuthCalloutOptions.Parse(ConfParser.ParseString($"c {{ issuer: {issuer}, auth_users: [a], xkey: XBAD }}", "test.conf")["c"]),
            Throws.InstanceOf<ConfigException>().With.Message.Contains("Expected callout xkey to be a valid public xkey, got \"XBAD\""));
        Assert.That(() => AuthCalloutOptions.Parse(ConfParser.ParseString($"c {{ issuer: {issuer}, auth_users: [a], bogus: 1 }}", "test.conf")["c"]),
            Throws.InstanceOf<ConfigException>().With.Message.Contains("Unknown field \"bogus\" parsing authorization callout"));
    }
}
