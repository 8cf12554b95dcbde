using Nats.Core.Plugins;

namespace Nats.Core.Tests.Plugins;

[TestFixture]
public sealed class KernelApiTests
{
    [TestCase("1.0", true, Description = "built before the contract grew")]
    [TestCase("1.1", true, Description = "the version this kernel provides")]
    [TestCase("1.2", false, Description = "a newer minor needs what this kernel lacks")]
    [TestCase("2.0", false, Description = "another major broke the contract")]
    [TestCase("0.9", false)]
    [TestCase("1", false)]
    [TestCase("1.1.0", false)]
    [TestCase("+1.1", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void A_plugin_runs_on_the_same_major_with_a_minor_at_most_the_kernels(string? built, bool supported)
    {
        Assert.That(KernelApi.Version, Is.EqualTo("1.1"));
        Assert.That(KernelApi.Supports(built), Is.EqualTo(supported));
    }
}
