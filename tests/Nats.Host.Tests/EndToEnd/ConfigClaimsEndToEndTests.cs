using Nats.Host.Tests.Plugins;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The stock host judging every top-level key by its owner (ConfigClaims): a key nobody owns is
/// nats-server's own error, and an authentication setting whose plugin is not loaded refuses to
/// start (fail closed) instead of running without the authentication it configures.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class ConfigClaimsEndToEndTests
{
    // A syntactically valid operator JWT is not needed: the refusal comes before anyone reads it.
    private const string OperatorConfig = "port: {0}\noperator: \"eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.e30.x\"\nresolver: MEMORY\n";

    [Test]
    public async Task An_operator_config_without_the_auth_jwt_plugin_refuses_to_start()
    {
        using var dir = new TempDirectory();
        dir.Write("op.conf", string.Format(OperatorConfig, FreePorts.Take()));

        using var host = await HostProcess.RunBareAsync(dir.Path, "-c", "op.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain(
            "nats-server: op.conf:2:1: \"operator\" is set, but plugin auth-jwt, which applies it, is not loaded: refusing to run with less security than configured\n" +
            "op.conf:3:1: \"resolver\" is set, but plugin auth-jwt, which applies it, is not loaded: refusing to run with less security than configured\n"));
        Assert.That(host.StandardError, Does.Not.Contain("Server is ready"));
    }

    [Test]
    public async Task The_check_of_an_operator_config_without_the_auth_jwt_plugin_fails()
    {
        using var dir = new TempDirectory();
        dir.Write("op.conf", string.Format(OperatorConfig, FreePorts.Take()));

        using var host = await HostProcess.RunBareAsync(dir.Path, "-t", "-c", "op.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.StartWith("nats-server: op.conf:2:1: \"operator\" is set, but plugin auth-jwt"));
        Assert.That(host.StandardError, Does.Not.Contain("is valid"));
    }

    [TestCase("trusted_keys: [\"ODSKR7MYFQZ5MMAJPROMHFWOQLQ4Y4SI2ZRZPTWKU4SL4SGHLG2DDMYQ\"]\n", "trusted_keys")]
    [TestCase("authorization { auth_callout { issuer: \"ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA\", auth_users: [auth] } }\n", "authorization.auth_callout")]
    public async Task Other_authentication_settings_fail_closed_too(string setting, string name)
    {
        using var dir = new TempDirectory();
        dir.Write("auth.conf", $"port: {FreePorts.Take()}\n{setting}");

        using var host = await HostProcess.RunBareAsync(dir.Path, "-c", "auth.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain($"\"{name}\" is set, but plugin auth-jwt, which applies it, is not loaded"));
    }

    [Test]
    public async Task An_unknown_top_level_key_is_nats_servers_own_error_at_start_and_in_the_check()
    {
        using var dir = new TempDirectory();
        dir.Write("b.conf", $"port: {FreePorts.Take()}\nbogus_field: 1\n");
        const string expected = "nats-server: b.conf:2:1: unknown field \"bogus_field\"\n\n";

        using (var host = await HostProcess.RunBareAsync(dir.Path, "-c", "b.conf"))
        {
            Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(host.StandardError, Is.EqualTo(expected));
        }
        using (var check = await HostProcess.RunBareAsync(dir.Path, "-t", "-c", "b.conf"))
        {
            Assert.That(await check.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(check.StandardError, Is.EqualTo(expected));
        }
        // Byte for byte what the reference server prints, when it is installed.
        if (ReferenceServer.FindBinary() is { } natsServer)
        {
            Assert.That(await HostProcess.RunOtherAsync(natsServer, dir.Path, "-c", "b.conf"), Is.EqualTo((1, expected)));
        }
    }

    [Test]
    public async Task A_section_claimed_by_two_plugin_manifests_refuses_to_start()
    {
        using var dir = new TempDirectory();
        var plugins = dir.File("plugins");
        File.WriteAllText(Path.Combine(PluginAssets.Install(plugins, "PluginA"), "plugin.toml"),
            "name = \"alpha\"\nversion = \"0.1.0\"\nkernel_api = \"1.0\"\n[config]\nsections = [\"shared_x\"]\n");
        File.WriteAllText(Path.Combine(PluginAssets.Install(plugins, "PluginB"), "plugin.toml"),
            "name = \"beta\"\nversion = \"0.1.0\"\nkernel_api = \"1.0\"\n[config]\nsections = [\"shared_x\"]\n");

        using var host = await HostProcess.RunBareAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "plugins");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain("nats-server: plugins alpha and beta both claim config section \"shared_x\""));
    }

    [Test]
    public async Task A_plugin_that_needs_a_plugin_not_loaded_is_refused_and_a_kernel_api_mismatch_too()
    {
        using var dir = new TempDirectory();
        var plugins = dir.File("plugins");
        File.WriteAllText(Path.Combine(PluginAssets.Install(plugins, "PluginA"), "plugin.toml"),
            "name = \"alpha\"\nversion = \"0.1.0\"\nkernel_api = \"1.0\"\nneeds = [\"jetstream\"]\n");

        using (var host = await HostProcess.RunBareAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "plugins"))
        {
            Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(host.StandardError, Does.Contain("nats-server: plugin \"alpha\": needs jetstream, which is not loaded\n"));
        }

        var manifest = Path.Combine(plugins, "PluginA", "plugin.toml");
        File.WriteAllText(manifest, "name = \"alpha\"\nversion = \"0.1.0\"\nkernel_api = \"2.0\"\n");
        using (var host = await HostProcess.RunBareAsync(dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", "plugins"))
        {
            Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
            Assert.That(host.StandardError, Does.Contain($"nats-server: plugin \"PluginA\": {manifest}: plugin alpha was built for kernel API 2.0, this server provides {Nats.Core.Plugins.KernelApi.Version}\n"));
        }
    }
}
