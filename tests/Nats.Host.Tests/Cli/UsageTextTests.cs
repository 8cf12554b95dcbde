using Nats.Core;
using Nats.Host.Cli;
using Nats.Host.Files;

namespace Nats.Host.Tests.Cli;

/// <summary>Help and version texts, and the ports file format.</summary>
[TestFixture]
public sealed class UsageTextTests
{
    [Test]
    public void Version_names_our_version_and_the_compatible_nats_version()
    {
        Assert.That(UsageText.Version, Does.StartWith($"nats-server: v{ServerVersion.Product} "));
        Assert.That(UsageText.Version, Does.Contain(ServerVersion.CompatibleNatsVersion));
    }

    [Test]
    public void Usage_is_laid_out_like_nats_server()
    {
        Assert.That(UsageText.Usage, Does.Contain("Usage: nats-server [options]"));
        Assert.That(UsageText.Usage, Does.Contain("    -sl,--signal <signal>[=<pid>]    Send signal to nats-server process (ldm, stop, quit, term, reopen, reload)"));
        Assert.That(UsageText.TlsHelp, Does.Contain("tls {"));
    }

    [Test]
    public void Ports_urls_name_the_bound_host_or_expand_any_address()
    {
        Assert.That(PortsFile.Urls("nats", "127.0.0.1", 4222), Is.EqualTo(new[] { "nats://127.0.0.1:4222" }));
        Assert.That(PortsFile.Urls("http", "::1", 8222), Is.EqualTo(new[] { "http://[::1]:8222" }));
        var any = PortsFile.Urls("nats", "0.0.0.0", 4222);
        Assert.That(any, Does.Contain("nats://127.0.0.1:4222"));
        Assert.That(any, Has.All.Not.Contain("0.0.0.0"));
    }
}
