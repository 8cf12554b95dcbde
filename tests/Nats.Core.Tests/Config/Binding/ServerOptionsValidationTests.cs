using Nats.Core.Config;
using Nats.Core.Config.Binding;

namespace Nats.Core.Tests.Config.Binding;

/// <summary>The final checks (nats-server's <c>validateOptions</c>) and the zero-means-default baseline.</summary>
[TestFixture]
public sealed class ServerOptionsValidationTests
{
    [Test]
    public void Defaults_are_valid() => Assert.That(ServerOptionsValidator.FindProblem(new ServerOptions()), Is.Null);

    [Test]
    public void Grace_period_must_be_shorter_than_lame_duck_duration()
    {
        var options = new ServerOptions { LameDuckDuration = TimeSpan.FromSeconds(30), LameDuckGracePeriod = TimeSpan.FromSeconds(40) };
        var error = Assert.Throws<ConfigurationException>(() => ServerOptionsValidator.Validate(options))!;
        Assert.That(error.Message, Is.EqualTo("lame duck grace period (40s) should be strictly lower than lame duck duration (30s)"));
    }

    [Test]
    public void Max_payload_must_fit_in_max_pending()
    {
        var options = new ServerOptions { MaxPayload = 100 * 1024 * 1024 };
        Assert.That(ServerOptionsValidator.FindProblem(options), Is.EqualTo("max_payload (104857600) cannot be higher than max_pending (67108864)"));
    }

    [Test]
    public void Names_cannot_contain_spaces()
    {
        Assert.That(ServerOptionsValidator.FindProblem(new ServerOptions { ServerName = "a b" }), Is.EqualTo("server name cannot contain spaces"));
        var clustered = new ServerOptions();
        clustered.Cluster.Name = "c d";
        Assert.That(ServerOptionsValidator.FindProblem(clustered), Is.EqualTo("cluster name cannot contain spaces"));
    }

    [Test]
    public void No_auth_user_must_be_a_configured_user()
    {
        var none = new ServerOptions();
        none.Auth.NoAuthUser = "ghost";
        Assert.That(ServerOptionsValidator.FindProblem(none), Is.EqualTo("no_auth_user: \"ghost\" present, but users/nkeys are not defined"));

        var other = new ServerOptions();
        other.Auth.NoAuthUser = "ghost";
        other.Auth.Users.Add(new UserConfig { Username = "alice" });
        Assert.That(ServerOptionsValidator.FindProblem(other), Is.EqualTo("no_auth_user: \"ghost\" not present as user or nkey in authorization block or account configuration"));

        other.Auth.NoAuthUser = "alice";
        Assert.That(ServerOptionsValidator.FindProblem(other), Is.Null);
    }

    [Test]
    public void Baseline_replaces_zero_values_and_is_idempotent()
    {
        var options = new ServerOptions { Host = "", Port = 0, MaxPayload = 0, PingInterval = TimeSpan.Zero, LameDuckGracePeriod = TimeSpan.Zero };
        options.Cluster.Port = 6222;
        options.Cluster.Host = "";
        ServerOptionsDefaults.ApplyBaseline(options);
        ServerOptionsDefaults.ApplyBaseline(options);
        Assert.That(
            (options.Host, options.Port, options.MaxPayload, options.PingInterval, options.LameDuckGracePeriod, options.Cluster.Host),
            Is.EqualTo(("0.0.0.0", 4222, 1024 * 1024, TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(10), "0.0.0.0")));
    }

    [Test]
    public void Baseline_keeps_random_port_and_explicit_values()
    {
        var options = new ServerOptions { Port = -1, MaxPayload = 10 };
        ServerOptionsDefaults.ApplyBaseline(options);
        Assert.That((options.Port, options.MaxPayload), Is.EqualTo((-1, 10)));
    }
}
