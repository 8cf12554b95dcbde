using Nats.Core.Config;
using Nats.Core.Security;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Config.Binding;

/// <summary><c>accounts {}</c>: users, imports, exports, default permissions and nats-server's checks.</summary>
[TestFixture]
public sealed class AccountsBindingTests
{
    [Test]
    public void Accounts_with_users_imports_and_exports()
    {
        var accountKey = NKeyPair.Create(NKeyPrefix.Account).PublicKey;
        var auth = Options($$$"""
            accounts {
              A {
                nkey: {{{accountKey}}}
                users: [ {user: a1, password: p1}, {user: a2, password: p2, permissions: {publish: "x"}} ]
                default_permissions: { publish: "a.>" }
                exports: [
                  {stream: "public.>"}
                  {stream: "private.>", accounts: [B]}
                  {service: "req.*", response_type: stream}
                  {service: "chunky", response: chunked}
                ]
              }
              B {
                users: [ {user: b1, password: p3} ]
                imports: [
                  {stream: {account: A, subject: "public.>"}, prefix: "from_a"}
                  {stream: {account: A, subject: "private.>"}, to: "mine.>"}
                  {service: {account: A, subject: "req.one"}, to: "ask.one"}
                  {service: {account: A, subject: "req.two"}}
                ]
              }
            }
            """).Auth;
        var a = auth.Accounts.Single(x => x.Name == "A");
        var b = auth.Accounts.Single(x => x.Name == "B");
        var users = auth.Users.ToDictionary(u => u.Username);
        Assert.Multiple(() =>
        {
            Assert.That(auth.Accounts.Select(x => x.Name), Is.EqualTo(new[] { "A", "B" }));
            Assert.That(users["a1"].Account, Is.EqualTo("A"));
            Assert.That(users["b1"].Account, Is.EqualTo("B"));
            // Account default permissions go to the account's users without their own, as in nats-server.
            Assert.That(users["a1"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "a.>" }));
            Assert.That(users["a2"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "x" }));
            Assert.That(users["b1"].Permissions, Is.Null);
            Assert.That(a.DefaultPermissions!.Publish!.Allow, Is.EqualTo(new[] { "a.>" }));

            Assert.That(a.Exports.Select(e => (e.Kind, e.Subject, string.Join(",", e.Accounts), e.ResponseType)), Is.EqualTo(new[]
            {
                (ExportKind.Stream, "public.>", "", "Singleton"),
                (ExportKind.Stream, "private.>", "B", "Singleton"),
                (ExportKind.Service, "req.*", "", "Stream"),
                (ExportKind.Service, "chunky", "", "Chunked"),
            }));
            Assert.That(b.Imports.Select(i => (i.Kind, i.Account, i.Subject, i.To, i.Prefix)), Is.EqualTo(new[]
            {
                (ExportKind.Stream, "A", "public.>", (string?)null, (string?)"from_a"),
                (ExportKind.Stream, "A", "private.>", "mine.>", null),
                (ExportKind.Service, "A", "req.one", "ask.one", null),
                (ExportKind.Service, "A", "req.two", null, null),
            }));
        });
    }

    [Test]
    public void A_list_of_names_declares_empty_accounts()
    {
        var auth = Options("accounts: [A, B]").Auth;
        Assert.That(auth.Accounts.Select(a => a.Name), Is.EqualTo(new[] { "A", "B" }));
    }

    [Test]
    public void Account_nkey_users_belong_to_the_account()
    {
        var key = NKeyPair.Create(NKeyPrefix.User).PublicKey;
        var auth = Options($"accounts {{ A {{ users: [ {{nkey: {key}}} ] }} }}").Auth;
        Assert.That((auth.NKeys.Single().PublicKey, auth.NKeys.Single().Account), Is.EqualTo((key, "A")));
    }

    [TestCase("accounts { $G { } }", "\"$G\" is a Reserved Account")]
    [TestCase("accounts { A: 5 }", "Expected map entries for accounts")]
    [TestCase("accounts { A { nkey: \"invalid\" } }", "Not a valid public nkey for an account: \"invalid\"")]
    [TestCase("accounts { A { foo: 1 } }", "unknown field \"foo\"")]
    [TestCase("accounts { A { users: [{user: u}] }, B { users: [{user: u}] } }", "Duplicate user \"u\" detected")]
    [TestCase("accounts { A { exports: [{stream: a, response_type: chunked}] } }", "Detected response directive on non-service")]
    [TestCase("accounts { A { exports: [{service: a, response_type: many}] } }", "Unknown response type: \"many\"")]
    [TestCase("accounts { A { exports: [{service: a, response: single, response_type: single}] } }", "Duplicate response type definition")]
    [TestCase("accounts { A { exports: [{stream: a, service: b}] } }", "Detected service \"b\" but already saw a stream")]
    [TestCase("accounts { A { exports: [{stream: \"a..b\"}] } }", "Error adding stream export \"a..b\": subject is not valid")]
    [TestCase("accounts { A { exports: [{stream: a, accounts: [Z]}] } }", "\"Z\" account not defined for stream export")]
    [TestCase("accounts { A { imports: [{stream: {account: Z, subject: a}}] } }", "\"Z\" account not defined for stream import")]
    [TestCase("accounts { A { imports: [{service: {account: Z, subject: a}}] } }", "\"Z\" account not defined for service import")]
    [TestCase("accounts { A { imports: [{stream: {account: A, subject: a}, prefix: p, to: q}] } }", "Stream import can not have a 'prefix' and a 'to' property")]
    [TestCase("accounts { A { imports: [{stream: {account: A, subj: a}}] } }", "unknown field \"subj\"")]
    [TestCase("accounts { A { imports: [{stream: A}] } }", "Stream entry should be an account map, got string")]
    public void Bad_accounts_are_rejected_like_nats_server(string config, string reason) =>
        Assert.That(BindError(config).Errors.Select(e => e.Reason), Does.Contain(reason));

    [Test]
    public void Account_users_conflict_with_a_single_authorization_user()
    {
        // nats-server's message depends on which block it meets first.
        Assert.That(BindError("authorization { user: x, password: y }\naccounts { A { users: [{user: a}] } }").Reason,
            Is.EqualTo("Can not have a single user/pass and accounts"));
        Assert.That(BindError("accounts { A { users: [{user: a}] } }\nauthorization { user: x, password: y }").Reason,
            Is.EqualTo("Can not have a single user/pass and a users array"));
        Assert.That(BindError("authorization { token: t }\naccounts { A { users: [{user: a}] } }").Reason,
            Is.EqualTo("Can not have a token and accounts"));
    }

    [Test]
    public void Users_must_be_unique_across_authorization_and_accounts()
    {
        Assert.That(BindError("accounts { A { users: [{user: a}] } }\nauthorization { users: [{user: a}] }").Reason,
            Is.EqualTo("Duplicate user \"a\" detected"));
        var auth = Options("accounts { A { users: [{user: a}] } }\nauthorization { users: [{user: b}] }").Auth;
        Assert.That(auth.Users.Select(u => (u.Username, u.Account)), Is.EqualTo(new[] { ("a", (string?)"A"), ("b", null) }));
    }

    [Test]
    public void Account_features_this_server_lacks_are_reported_as_ignored()
    {
        var result = Bind("accounts { A { jetstream: enabled, msg_trace: { dest: t }, mappings: { a: b } } }");
        Assert.That(result.Ignored.Select(i => i.Field), Is.EqualTo(new[] { "accounts.A.jetstream", "accounts.A.msg_trace" }), "mappings are bound");
    }
}

/// <summary><c>accounts { A { limits {} } }</c> and the keys left for plugins.</summary>
[TestFixture]
public sealed class AccountLimitsBindingTests
{
    [Test]
    public void Limits_bind_with_nats_server_names_and_aliases()
    {
        var auth = Options("""
            accounts {
              A { limits { max_connections: 3, max_subscriptions: 10, max_payload: 1KB, max_leafnodes: 2 } }
              B { limits { max_conn: 1, max_subs: 2, max_pay: 3, max_leafs: 4 } }
              C { }
            }
            """).Auth;
        Assert.That(auth.Accounts[0].Limits, Is.EqualTo(new Nats.Core.Accounts.AccountLimits { MaxConnections = 3, MaxSubscriptions = 10, MaxPayload = 1024, MaxLeafNodeConnections = 2 }));
        Assert.That(auth.Accounts[1].Limits, Is.EqualTo(new Nats.Core.Accounts.AccountLimits { MaxConnections = 1, MaxSubscriptions = 2, MaxPayload = 3, MaxLeafNodeConnections = 4 }));
        Assert.That(auth.Accounts[2].Limits, Is.SameAs(Nats.Core.Accounts.AccountLimits.None));
    }

    [Test]
    public void Bad_limits_are_nats_server_errors()
    {
        Assert.That(Errors("accounts { A { limits { max_bogus: 1 } } }"), Is.EqualTo(new[] { "test.conf:1:25: Unknown field \"max_bogus\" parsing account limits" }));
        Assert.That(Errors("accounts { A { limits: 5 } }"), Has.One.Contains("Expected account limits to be a map/struct"));
    }

    [Test]
    public void Keys_the_kernel_does_not_read_are_kept_for_plugins_with_their_positions()
    {
        var account = Bind("accounts {\n  A { jetstream: { max_mem: 1G }, users: [{user: a}] }\n}").Options.Auth.Accounts.Single();
        Assert.That(account.PluginKeys.Select(k => (k.Key, k.KeyPosition.Line, k.KeyPosition.Column)), Is.EqualTo(new[] { ("jetstream", 2, 7) }));
        Assert.That(account.PluginKeys[0].Value.AsMap(), Is.Not.Null);
    }
}
