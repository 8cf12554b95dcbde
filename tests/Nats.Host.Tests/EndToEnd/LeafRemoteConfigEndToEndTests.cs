using System.Security.Cryptography;
using Nats.Core.Security;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// The stock host (with the Leafnode plugin it ships) refusing a leafnode remote whose
/// authentication is ambiguous or unusable, both at start and with <c>-t</c>, naming the option
/// and its position as nats-server's <c>parseRemoteLeafNodes</c> does (issue 10): a remote that
/// mixes <c>nkey</c> and <c>credentials</c> would otherwise have to pick one silently, and a
/// public key where the seed belongs cannot sign the hub's nonce.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(60_000)]
public sealed class LeafRemoteConfigEndToEndTests
{
    // The host names the plugin whose section refused, then nats-server's position and text.
    private const string Refusal = "nats-server: plugin \"leafnodes\": ";

    private static readonly string UserSeed = NKeys.EncodeSeed(NKeyPrefix.User, RandomNumberGenerator.GetBytes(32));
    private static readonly string UserPublicKey = NKeys.Encode(NKeyPrefix.User, RandomNumberGenerator.GetBytes(32));

    [TestCase("-t")]
    [TestCase(null)]
    public async Task A_remote_with_both_credentials_and_nkey_is_refused_naming_the_options(string? check)
    {
        using var dir = new TempDirectory();
        var creds = dir.Write("leaf.creds", "not read: the remote is refused before\n");
        dir.Write("mix.conf", $"port: {FreePorts.Take()}\nleafnodes {{\n  remotes: [ {{\n    url: \"nats-leaf://127.0.0.1:{FreePorts.Take()}\"\n" +
            $"    credentials: \"{creds}\"\n    nkey: \"{UserSeed}\"\n  }} ]\n}}\n");

        using var host = await RunAsync(dir.Path, check, "mix.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain(Refusal + "mix.conf:6:5: Remote leafnode can not have both creds and nkey defined\n"));
        Assert.That(host.StandardError, Does.Not.Contain(UserSeed), "the seed is a secret");
        Assert.That(host.StandardError, Does.Not.Contain("is valid").And.Not.Contain("Server is ready"));
    }

    [TestCase("-t")]
    [TestCase(null)]
    public async Task The_nkey_before_credentials_is_refused_at_the_credentials(string? check)
    {
        using var dir = new TempDirectory();
        dir.Write("mix.conf", $"port: {FreePorts.Take()}\nleafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:7422\", nkey: \"{UserSeed}\", credentials: \"/x.creds\" }} ] }}\n");

        using var host = await RunAsync(dir.Path, check, "mix.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain(Refusal + "mix.conf:2:129: Remote leafnode can not have both creds and nkey defined\n"));
    }

    [TestCase("-t")]
    [TestCase(null)]
    public async Task A_public_key_where_the_seed_belongs_is_refused_naming_the_nkey(string? check)
    {
        using var dir = new TempDirectory();
        dir.Write("pub.conf", $"port: {FreePorts.Take()}\nleafnodes {{\n  remotes: [ {{ url: \"nats-leaf://127.0.0.1:7422\", nkey: \"{UserPublicKey}\" }} ]\n}}\n");

        using var host = await RunAsync(dir.Path, check, "pub.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(1));
        Assert.That(host.StandardError, Does.Contain($"{Refusal}pub.conf:3:51: Remote leafnode nkey is not a valid seed: \"{UserPublicKey}\"\n"));
        Assert.That(host.StandardError, Does.Not.Contain("is valid (").And.Not.Contain("Server is ready"));
    }

    [Test]
    public async Task The_check_passes_a_remote_with_a_user_seed_alone()
    {
        using var dir = new TempDirectory();
        dir.Write("ok.conf", $"port: {FreePorts.Take()}\nleafnodes {{ remotes: [ {{ url: \"nats-leaf://127.0.0.1:7422\", nkey: \"{UserSeed}\" }} ] }}\n");

        using var host = await RunAsync(dir.Path, "-t", "ok.conf");

        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0), host.StandardError);
        Assert.That(host.StandardError, Does.Contain("configuration file ok.conf is valid"));
    }

    // -t runs to completion; a start that is refused exits by itself too (bounded by the wait).
    private static Task<HostProcess> RunAsync(string directory, string? check, string config) =>
        check is null ? HostProcess.RunAsync(directory, "-c", config) : HostProcess.RunAsync(directory, check, "-c", config);
}
