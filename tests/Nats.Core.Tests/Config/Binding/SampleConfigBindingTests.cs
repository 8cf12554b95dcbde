using Nats.Core.Config.Binding;

namespace Nats.Core.Tests.Config.Binding;

/// <summary>nats-server's own test configs (see Samples/README.md) bind to what nats-server reads from them.</summary>
[TestFixture]
public sealed class SampleConfigBindingTests
{
    private static string Sample(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Config", "Samples", name);

    [Test]
    public void Authorization_sample_users_and_their_permissions()
    {
        var result = ServerOptionsBinder.BindFile(Sample("authorization.conf"));
        var users = result.Options.Auth.Users.ToDictionary(u => u.Username);
        Assert.Multiple(() =>
        {
            Assert.That(result.Options.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(result.Options.Port, Is.EqualTo(2442));
            Assert.That(users.Keys, Is.EquivalentTo(new[] { "alice", "bob", "bench", "joe", "ns", "ns-pub", "bench-deny", "svca", "svcb" }));
            Assert.That(users["alice"].Password, Does.StartWith("$2a$04$"));
            Assert.That(users["bob"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "req.foo", "req.bar" }));
            Assert.That(users["bob"].Permissions!.Subscribe!.Allow, Is.EqualTo(new[] { "_INBOX.*" }));
            // The included DEFAULT_PERMISSIONS key is authorization's default_permissions (keys ignore case).
            Assert.That(users["joe"].Permissions!.Publish!.Allow, Is.EqualTo(new[] { "SANDBOX.*" }));
            Assert.That(users["ns"].Permissions!.Publish!.Deny, Is.EqualTo(new[] { "SYS.*", "bar.baz", "foo.*" }));
            Assert.That(users["ns"].Permissions!.Subscribe!.Allow, Is.EqualTo(new[] { "foo.*", "SYS.TEST.>" }));
            Assert.That(users["svca"].Permissions!.Responses!.MaxMessages, Is.EqualTo(1));
            Assert.That(users["svca"].Permissions!.Publish!.Allow, Is.Empty);
            Assert.That(users["svcb"].Permissions!.Responses!.MaxMessages, Is.EqualTo(10));
            Assert.That(users["svcb"].Permissions!.Responses!.Expires, Is.EqualTo(TimeSpan.FromMilliseconds(50)));
            // The permission variables are definitions only, not unknown fields.
            Assert.That(result.Warnings, Is.Empty);
            Assert.That(result.Unclaimed, Is.Empty);
        });
    }

    [Test]
    public void Multi_accounts_sample()
    {
        var options = ServerOptionsBinder.BindFile(Sample("multi_accounts.conf")).Options;
        Assert.Multiple(() =>
        {
            Assert.That(options.Auth.Accounts.Select(a => a.Name), Is.EqualTo(new[] { "engineering", "legal", "finance" }));
            Assert.That(options.Auth.Users.Select(u => (u.Username, u.Account, u.Password)), Does.Contain(("mary", (string?)"legal", "s3cr3t!")));
            Assert.That(options.Auth.Users, Has.Count.EqualTo(6));
            Assert.That(options.Auth.NoSystemAccount, Is.True);
            Assert.That((options.Monitoring.Host, options.Monitoring.Port), Is.EqualTo(("127.0.0.1", 8033)));
        });
    }

    [Test]
    public void Cluster_sample()
    {
        var cluster = ServerOptionsBinder.BindFile(Sample("cluster.conf")).Options.Cluster;
        Assert.Multiple(() =>
        {
            Assert.That((cluster.Host, cluster.Port, cluster.Name), Is.EqualTo(("127.0.0.1", 5244, "xyz")));
            Assert.That((cluster.Username, cluster.Password, cluster.AuthTimeout), Is.EqualTo(("route_user", "top_secret", TimeSpan.FromSeconds(0.5))));
            Assert.That(cluster.Routes.Select(r => r.Port), Is.EqualTo(new[] { 5245, 5246 }));
        });
    }

    /// <summary>nats-server's <c>TestConfigCheckMultipleErrors</c>: every problem in the file is reported.</summary>
    [Test]
    public void Multiple_errors_sample_reports_every_error()
    {
        var file = Sample("multiple_errors.conf");
        var messages = NatsServerConfigCheckTests.CheckMessages(file);
        Assert.That(messages, Is.SupersetOf(new[]
        {
            $"{file}:12:1: invalid use of field \"write_deadline\": write_deadline should be converted to a duration",
            $"{file}:2:1: Cannot have a user/pass and token",
            $"{file}:10:1: unknown field \"monitoring\"",
            $"{file}:67:3: Cluster authorization does not allow multiple users",
            $"{file}:21:5: Not a valid public nkey for an account: \"OC5GRL36RQV7MJ2GT6WQSCKDKJKYTK4T2LGLWJ2SEJKRDHFOQQWGGFQL\"",
            $"{file}:26:9: Not a valid public nkey for a user",
            $"{file}:36:5: Not a valid public nkey for an account: \"ODRZ42QBM7SXQDXXTSVWT2WLLFYOQGAFC4TO6WOAXHEKQHIXR4HFYJDS\"",
            $"{file}:41:9: Not a valid public nkey for a user",
        }));
    }
}
