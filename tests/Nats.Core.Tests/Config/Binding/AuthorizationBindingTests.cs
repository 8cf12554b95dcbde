using Nats.Core.Security;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Config.Binding;

/// <summary><c>authorization {}</c>, <c>users</c>, nkeys, permissions and <c>no_auth_user</c>.</summary>
[TestFixture]
public sealed class AuthorizationBindingTests
{
    private static readonly string UserNKey = NKeyPair.Create(NKeyPrefix.User).PublicKey;

    [Test]
    public void Single_user_with_password_and_timeout()
    {
        var auth = Options("authorization { user: derek, password: s3cr3t, timeout: 1.5 }").Auth;
        Assert.Multiple(() =>
        {
            Assert.That(auth.Username, Is.EqualTo("derek"));
            Assert.That(auth.Password, Is.EqualTo("s3cr3t"));
            Assert.That(auth.Timeout, Is.EqualTo(TimeSpan.FromSeconds(1.5)));
            Assert.That(auth.IsAuthRequired, Is.True);
        });
    }

    [Test]
    public void Username_and_pass_are_aliases()
    {
        var auth = Options("authorization { username: a, pass: b }").Auth;
        Assert.That((auth.Username, auth.Password), Is.EqualTo(("a", "b")));
    }

    [Test]
    public void Token_and_timeout_as_a_duration_string()
    {
        var auth = Options("authorization { token: \"$2a$11$abc\", timeout: \"3s\" }").Auth;
        Assert.That((auth.Token, auth.Timeout), Is.EqualTo(("$2a$11$abc", TimeSpan.FromSeconds(3))));
    }

    [Test]
    public void A_long_auth_timeout_warns_like_nats_server()
    {
        var warnings = Warnings("authorization {\n  user: a, password: b\n  timeout: 100\n}");
        Assert.That(warnings, Is.EqualTo(new[]
        {
            "test.conf:3:3: invalid use of field \"timeout\": timeout of 100 (100.000000 seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example",
        }));
    }

    [Test]
    public void The_chain_lists_authenticator_names_each_once()
    {
        Assert.That(Options("authorization { user: a, password: b, chain: [ auth_callout, user ] }").Auth.Chain, Is.EqualTo(new[] { "auth_callout", "user" }));
        Assert.That(Options("authorization { user: a, password: b }").Auth.Chain, Is.Empty);
        Assert.That(Errors("authorization { chain: user }"), Is.EqualTo(new[]
        {
            "test.conf:1:17: error parsing authorization config, 'chain' must be a list of authenticator names",
        }));
        Assert.That(Errors("authorization { chain: [ user, USER ] }"), Is.EqualTo(new[]
        {
            "test.conf:1:17: error parsing authorization config, 'chain' names \"USER\" twice",
        }));
    }

    [Test]
    public void A_bad_auth_timeout_is_an_error()
    {
        Assert.That(Errors("authorization { timeout: \"x\" }"), Is.EqualTo(new[]
        {
            "test.conf:1:17: error parsing authorization config, 'timeout' time: invalid duration \"x\"",
        }));
        Assert.That(Errors("authorization { timeout: [1] }"), Is.EqualTo(new[]
        {
            "test.conf:1:17: error parsing authorization config, 'timeout' wrong type",
        }));
    }

    [Test]
    public void Users_with_permissions_in_every_form()
    {
        var auth = Options("""
            authorization {
              users = [
                {user: alice, password: a, permissions: {publish: ">", subscribe: [">"]}}
                {user: bob, password: b, permissions: {
                  publish: {allow: ["req.>"], deny: "req.secret"}
                  subscribe: {deny: ["admin.>"]}
                }}
                {user: svc, password: c, permissions: {subscribe: "svc.req", allow_responses: true}}
                {user: svc2, password: d, permissions: {subscribe: "svc.req", allow_responses: {max: 5, expires: "1m"}}}
                {user: q, password: e, permissions: {sub: ["jobs.* workers"], pub: "jobs.done"}}
              ]
            }
            """).Auth;
        var users = auth.Users.ToDictionary(u => u.Username);
        Assert.Multiple(() =>
        {
            Assert.That(users.Keys, Is.EqualTo(new[] { "alice", "bob", "svc", "svc2", "q" }));
            Assert.That(users["alice"].Password, Is.EqualTo("a"));
            Assert.That(users["alice"].Account, Is.Null);
            Assert.That(users["alice"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { ">" }));
            Assert.That(users["alice"].Permissions!.Subscribe!.Allow, Is.EqualTo(new[] { ">" }));
            Assert.That(users["bob"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "req.>" }));
            Assert.That(users["bob"].Permissions!.Publish!.Deny, Is.EqualTo(new[] { "req.secret" }));
            Assert.That(users["bob"].Permissions!.Subscribe!.Allow, Is.Null);
            Assert.That(users["bob"].Permissions!.Subscribe!.Deny, Is.EqualTo(new[] { "admin.>" }));
            // allow_responses: true gives nats-server's defaults and turns off the blanket publish allow.
            Assert.That(users["svc"].Permissions!.Responses!.MaxMessages, Is.EqualTo(1));
            Assert.That(users["svc"].Permissions!.Responses!.Expires, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(users["svc"].Permissions!.Publish!.Allow, Is.Empty);
            Assert.That(users["svc2"].Permissions!.Responses!.MaxMessages, Is.EqualTo(5));
            Assert.That(users["svc2"].Permissions!.Responses!.Expires, Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(users["q"].Permissions!.Subscribe!.Allow, Is.EqualTo(new[] { "jobs.* workers" }));
            Assert.That(users["q"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "jobs.done" }));
        });
    }

    [Test]
    public void Allow_responses_keeps_explicit_publish_rules_and_false_means_none()
    {
        var users = Options("""
            authorization { users = [
              {user: a, password: a, permissions: {publish: "x", allow_responses: true}}
              {user: b, password: b, permissions: {allow_responses: false}}
              {user: c, password: c, permissions: {allow_responses: {max: 0, ttl: "0s"}}}
              {user: d, password: d, permissions: {allow_responses: {max: -1}}}
            ]}
            """).Auth.Users;
        Assert.Multiple(() =>
        {
            Assert.That(users[0].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "x" }));
            Assert.That(users[1].Permissions!.Responses, Is.Null);
            Assert.That(users[1].Permissions!.Publish, Is.Null);
            // Zero means "the default" for both, as in nats-server.
            Assert.That(users[2].Permissions!.Responses!.MaxMessages, Is.EqualTo(1));
            Assert.That(users[2].Permissions!.Responses!.Expires, Is.EqualTo(TimeSpan.FromMinutes(2)));
            Assert.That(users[3].Permissions!.Responses!.MaxMessages, Is.EqualTo(-1));
        });
    }

    [Test]
    public void Default_permissions_go_to_users_without_their_own()
    {
        var auth = Options("""
            authorization {
              default_permissions: { publish: "SANDBOX.*" }
              users = [
                {user: joe, password: a}
                {user: ann, password: b, permissions: {publish: ">"}}
              ]
            }
            """).Auth;
        Assert.Multiple(() =>
        {
            Assert.That(auth.DefaultPermissions!.Publish!.Allow, Is.EqualTo(new[] { "SANDBOX.*" }));
            Assert.That(auth.Users[0].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "SANDBOX.*" }));
            Assert.That(auth.Users[1].Permissions!.Publish!.Allow, Is.EqualTo(new[] { ">" }));
        });
    }

    [Test]
    public void Permissions_of_a_single_user_are_the_default_permissions()
    {
        var auth = Options("authorization { user: a, password: b, permissions: { subscribe: \"x\" } }").Auth;
        Assert.That(auth.DefaultPermissions!.Subscribe!.Allow, Is.EqualTo(new[] { "x" }));
    }

    [Test]
    public void Nkey_users_are_kept_apart_from_password_users()
    {
        var auth = Options($$$"""
            authorization { users = [
              {nkey: {{{UserNKey}}}, permissions: {publish: "a"}, allowed_connection_types: ["standard", "WEBSOCKET"]}
              {user: x, password: y}
            ]}
            """).Auth;
        Assert.Multiple(() =>
        {
            Assert.That(auth.NKeys.Single().PublicKey, Is.EqualTo(UserNKey));
            Assert.That(auth.NKeys.Single().Permissions!.Publish!.Allow, Is.EqualTo(new[] { "a" }));
            Assert.That(auth.NKeys.Single().AllowedConnectionTypes, Is.EqualTo(new[] { "STANDARD", "WEBSOCKET" }));
            Assert.That(auth.Users.Single().Username, Is.EqualTo("x"));
        });
    }

    [TestCase("clients: MQTT")]
    [TestCase("connection_types: [mqtt]")]
    [TestCase("allowed_connection_types: [\"MQTT\"]")]
    public void Allowed_connection_types_aliases(string field)
    {
        var user = Options($"authorization {{ users = [ {{user: a, password: b, {field}}} ] }}").Auth.Users.Single();
        Assert.That(user.AllowedConnectionTypes, Is.EqualTo(new[] { "MQTT" }));
    }

    [TestCase("{nkey: \"UBAD\"}", "Not a valid public nkey for a user")]
    [TestCase("{password: x}", "User entry requires a user")]
    public void Bad_user_entries_are_rejected(string entry, string reason) =>
        Assert.That(BindError($"authorization {{ users = [ {entry} ] }}").Errors.Single().Reason, Is.EqualTo(reason));

    [Test]
    public void Nkey_users_take_no_password()
    {
        var error = BindError($"authorization {{ users = [ {{nkey: {UserNKey}, password: x}} ] }}");
        Assert.That(error.Errors.Single().Reason, Is.EqualTo("Nkey users do not take usernames or passwords"));
    }

    [TestCase("subscribe: \"foo bar baz\"", "subject \"foo bar baz\" is not a valid subject")]
    [TestCase("subscribe: \"foo ..\"", "queue \"..\" is not a valid queue")]
    [TestCase("publish: \"foo bar\"", "subject \"foo bar\" is not a valid subject")]
    [TestCase("publish: [1]", "Subject in permissions array cannot be cast to string")]
    [TestCase("publish: {allow: true}", "Expected subject permissions to be a subject, or array of subjects, got bool")]
    [TestCase("allow_responses: 5", "error parsing response permissions, expected a boolean or a map")]
    [TestCase("allow_responses: {expires: 5}", "error parsing expires, not a duration string")]
    [TestCase("allow_responses: {expires: \"x\"}", "error parsing expires: time: invalid duration \"x\"")]
    [TestCase("allow_responses: {maximum: 5}", "Unknown field \"maximum\" parsing permissions")]
    public void Bad_permissions_are_rejected_like_nats_server(string permission, string reason)
    {
        var error = BindError($"authorization {{ users = [ {{user: a, password: b, permissions: {{ {permission} }} }} ] }}");
        Assert.That(error.Errors.Select(e => e.Reason), Is.EqualTo(new[] { reason }));
    }

    [Test]
    public void Cross_checks_between_single_user_token_and_users()
    {
        Assert.That(BindError("authorization { user: a, token: t }").Reason, Is.EqualTo("Cannot have a user/pass and token"));
        Assert.That(BindError("authorization { user: a, users: [] }").Reason, Is.EqualTo("Can not have a single user/pass and a users array"));
        Assert.That(BindError("authorization { token: t, users: [] }").Reason, Is.EqualTo("Can not have a token and a users array"));
        Assert.That(BindError("authorization { users: [{user: a}, {user: a}] }").Reason, Is.EqualTo("Duplicate user \"a\" detected"));
        Assert.That(BindError($"authorization {{ users: [{{nkey: {UserNKey}}}, {{nkey: {UserNKey}}}] }}").Reason, Is.EqualTo($"Duplicate nkey \"{UserNKey}\" detected"));
    }

    [Test]
    public void Auth_callout_is_accepted_but_reported_as_ignored()
    {
        var result = Bind("authorization { users: [{user: a}], auth_callout { issuer: x } }");
        Assert.That(result.Ignored.Select(i => i.Message), Is.EqualTo(new[]
        {
            "test.conf:1:37: field \"auth_callout\" is not supported by this server and is ignored",
        }));
    }

    [Test]
    public void No_auth_user_is_bound()
    {
        Assert.That(Options("no_auth_user: a\nauthorization { users: [{user: a}] }").Auth.NoAuthUser, Is.EqualTo("a"));
    }
}
