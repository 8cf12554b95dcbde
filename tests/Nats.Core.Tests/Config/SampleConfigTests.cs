using Nats.Core.Config;

namespace Nats.Core.Tests.Config;

/// <summary>Real configs from the nats-server test suite (see Samples/README.md) parse cleanly.</summary>
public class SampleConfigTests
{
    private static string SamplesDirectory => Path.Combine(TestContext.CurrentContext.TestDirectory, "Config", "Samples");

    private static IEnumerable<string> SampleNames() =>
        Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Config", "Samples"), "*.conf")
            .Select(Path.GetFileName)
            .Order()!;

    [TestCaseSource(nameof(SampleNames))]
    public void SampleParses(string name)
    {
        var config = ConfParser.ParseFile(Path.Combine(SamplesDirectory, name));
        Assert.That(config, Is.Not.Empty);
        Assert.That(ConfigDigest.Compute(config), Does.Match("^sha256:[0-9a-f]{64}$"));
    }

    [Test]
    public void ThereAreSamplesToParse()
    {
        Assert.That(SampleNames().Count(), Is.GreaterThanOrEqualTo(5));
    }

    [Test]
    public void AuthorizationSampleResolvesIncludedPermissionVariables()
    {
        var config = ConfParser.ParseFile(Path.Combine(SamplesDirectory, "authorization.conf"));
        var authorization = config["authorization"].AsMap();
        var users = authorization["users"].AsList();
        var alice = users[0].AsMap();
        Assert.That(alice["user"].AsString(), Is.EqualTo("alice"));
        Assert.That(alice["password"].AsString(), Is.EqualTo("$2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK"));
        Assert.That(alice["permissions"].AsMap()["publish"].AsString(), Is.EqualTo(">"));
        Assert.That(authorization["ADMIN"].IsUsedAsVariable, Is.True);
        Assert.That(authorization.TryGetEntry("ADMIN", out var admin), Is.True);
        Assert.That(admin!.KeyPosition.File, Does.EndWith("auths.conf"));
    }

    [Test]
    public void ClusterSample()
    {
        var config = ConfParser.ParseFile(Path.Combine(SamplesDirectory, "cluster.conf"));
        Assert.That(config["listen"].AsString(), Is.EqualTo("127.0.0.1:5242"));
        var cluster = config["cluster"].AsMap();
        Assert.That(cluster["authorization"].AsMap()["timeout"].AsDouble(), Is.EqualTo(0.5));
        Assert.That(cluster["routes"].AsList().Select(r => r.AsString()),
            Is.EqualTo(new[] { "nats-route://foo:bar@127.0.0.1:5245", "nats-route://foo:bar@127.0.0.1:5246" }));
        Assert.That(config["no_sys_acc"].AsBool(), Is.True);
    }
}
