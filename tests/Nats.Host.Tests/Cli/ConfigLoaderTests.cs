using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Host.Cli;
using Nats.Host.Hosting;
using Nats.TestSupport;

namespace Nats.Host.Tests.Cli;

/// <summary>Defaults, then the config file, then the flags, then the checks: the start-up (and reload) order.</summary>
[TestFixture]
public sealed class ConfigLoaderTests
{
    private static ConfigLoader.Loaded Load(params string[] args) => ConfigLoader.Load(ServerCommandLine.Parse(args));

    [Test]
    public void Without_arguments_the_server_listens_on_every_interface_on_4222()
    {
        var loaded = Load();
        Assert.That((loaded.Options.Host, loaded.Options.Port, loaded.Options.ConfigFile), Is.EqualTo(("0.0.0.0", 4222, (string?)null)));
        Assert.That(loaded.Warnings, Is.Empty);
    }

    [Test]
    public void Flags_win_over_the_file_and_zero_still_means_default()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("a.conf", "port: 5000\nserver_name: from-file\ndebug: true\n");
        var options = Load("-c", file, "-n", "from-flag", "-p", "0").Options;
        Assert.Multiple(() =>
        {
            Assert.That(options.ServerName, Is.EqualTo("from-flag"));
            Assert.That(options.Port, Is.EqualTo(4222));
            Assert.That(options.Logging.Debug, Is.True);
            Assert.That(options.ConfigFile, Is.EqualTo(file));
            Assert.That(options.ConfigDigest, Does.StartWith("sha256:"));
        });
    }

    [Test]
    public void Warnings_cover_the_file_the_unclaimed_keys_and_the_flags()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("w.conf", "ping_interval: 30\ngateway { name: x }\nplugin_x: 1\n");
        var loaded = Load("-c", file, "--profile", "1");
        var warnings = loaded.Warnings;
        Assert.That(warnings, Has.Count.EqualTo(2));
        Assert.That(warnings[0], Does.Contain("ping_interval should be converted to a duration"));
        Assert.That(warnings[1], Does.Contain("profiling is not supported"));
        // Unclaimed keys are judged against the owners table once the plugins are known.
        var review = Claims().Review(loaded.Unclaimed, loaded.Config, _ => false);
        Assert.That(review.Warnings.Single().Message, Does.EndWith("w.conf:2:1: field \"gateway\" needs plugin gateway, which is not loaded, and is ignored"));
        Assert.That(review.Errors.Single().Message, Does.EndWith("w.conf:3:1: unknown field \"plugin_x\""));
    }

    [Test]
    public void Sections_a_plugin_claims_are_not_reported()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("p.conf", "plugin_x { a: 1 }\n");
        var loaded = ConfigLoader.Load(ServerCommandLine.Parse(["-c", file]));
        Assert.That(loaded.Warnings, Is.Empty);
        var claims = Claims();
        Assert.That(claims.Review(loaded.Unclaimed, loaded.Config, _ => true).Errors.Single().Message, Does.Contain("unknown field \"plugin_x\""));
        claims.Declare("x", ["plugin_x"], []);
        var loadedReview = claims.Review(loaded.Unclaimed, loaded.Config, name => name == "x");
        Assert.That(loadedReview.Errors.Concat(loadedReview.Warnings), Is.Empty);
        Assert.That(claims.Review(loaded.Unclaimed, loaded.Config, _ => false).Warnings.Single().Message, Does.Contain("needs plugin x, which is not loaded"));
        Assert.That(loaded.Options.Sections.ContainsKey("plugin_x"), Is.True);
    }

    [Test]
    public void Tls_flags_reach_the_kernel_without_warnings()
    {
        var loaded = Load("--tlscert", "c.pem", "--tlskey", "k.pem");
        Assert.That(loaded.Warnings, Is.Empty);
        Assert.That(loaded.Options.Flags.TlsCert, Is.EqualTo("c.pem"));
        Assert.That(loaded.Options.Flags.TlsKey, Is.EqualTo("k.pem"));
    }

    [Test]
    public void The_final_options_are_validated()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("v.conf", "max_payload: 100MB\n");
        var error = Assert.Throws<ConfigurationException>(() => Load("-c", file))!;
        Assert.That(error.Message, Is.EqualTo("max_payload (104857600) cannot be higher than max_pending (67108864)"));
    }

    [Test]
    public void File_errors_come_through_with_every_problem()
    {
        using var dir = new TempDirectory();
        var file = dir.Write("e.conf", "port: x\nmax_payload: -1\n");
        var error = Assert.Throws<ConfigBindingException>(() => Load("-c", file))!;
        Assert.That(error.Errors, Has.Count.EqualTo(2));
    }

    private static Nats.Core.Config.ConfigClaims Claims() =>
        Nats.Core.Config.ConfigClaims.CreateDefault([.. Nats.Core.NatsServer.KernelSections, "plugins"]);
}
