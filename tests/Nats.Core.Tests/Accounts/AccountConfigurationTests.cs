using Nats.Core.Config;

namespace Nats.Core.Tests.Accounts;

/// <summary>Imports are checked against exports when the server is constructed.</summary>
[TestFixture]
public sealed class AccountConfigurationTests
{
    private static ServerOptions With(params AccountConfig[] accounts) => new()
    {
        Host = "127.0.0.1",
        Port = -1,
        Auth = new AuthOptions { Accounts = [.. accounts] },
    };

    private static AccountConfig Exporter() => new()
    {
        Name = "A",
        Exports =
        [
            new ExportConfig { Kind = ExportKind.Stream, Subject = "news.>" },
            new ExportConfig { Kind = ExportKind.Stream, Subject = "private.*", Accounts = ["B"] },
            new ExportConfig { Kind = ExportKind.Service, Subject = "time", Accounts = ["B"] },
        ],
    };

    private static AccountConfig Importer(string name, ImportConfig import) => new() { Name = name, Imports = [import] };

    [Test]
    public void ImportOfSomethingNotExportedIsAConfigurationError()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "weather.>" }));
        var error = Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
        Assert.That(error!.Message, Does.Contain("weather.>").And.Contain("\"A\""));
    }

    [Test]
    public void ImportOfABroaderSubjectThanExportedIsAConfigurationError()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = ">" }));
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public void ImportOfANarrowerSubjectThanExportedIsFine()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "news.sport.>" }));
        Assert.DoesNotThrow(() => _ = new NatsServer(options));
    }

    [Test]
    public void RestrictedExportRefusesOtherAccounts()
    {
        var options = With(Exporter(), Importer("C", new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "private.*" }));
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
        options = With(Exporter(), Importer("C", new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "time" }));
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public void RestrictedExportAdmitsTheNamedAccount()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "time" }));
        Assert.DoesNotThrow(() => _ = new NatsServer(options));
    }

    [Test]
    public void StreamExportCannotBeImportedAsAService()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Service, Account = "A", Subject = "news.>" }));
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public void ImportFromAnUnknownAccountIsAConfigurationError()
    {
        var options = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Stream, Account = "Z", Subject = "news.>" }));
        var error = Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
        Assert.That(error!.Message, Does.Contain("\"Z\""));
    }

    [Test]
    public void UserInAnUnknownAccountIsAConfigurationError()
    {
        var options = With(Exporter());
        options.Auth.Users.Add(new UserConfig { Username = "u", Password = "p", Account = "nope" });
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public async Task ServersThatFailConfigurationOrNeverStartLeaveNoThreadsBehind()
    {
        // Each server owns a dedicated bcrypt thread; a configuration error in the constructor,
        // or disposing a server that never started, must not leak it.
        var before = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        for (var i = 0; i < 30; i++)
        {
            var bad = With(Exporter(), Importer("B", new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "nope" }));
            Assert.Throws<ConfigurationException>(() => _ = new NatsServer(bad));
            await new NatsServer(With(Exporter())).DisposeAsync();
        }
        var after = System.Diagnostics.Process.GetCurrentProcess().Threads.Count;
        Assert.That(after - before, Is.LessThan(10), "threads leaked by 60 servers that never ran");
    }

    private static AccountConfig Mutual(string name, string other, ExportKind kind, string subject) => new()
    {
        Name = name,
        Exports = [new ExportConfig { Kind = kind, Subject = subject }],
        Imports = [new ImportConfig { Kind = kind, Account = other, Subject = subject }],
    };

    [TestCase(ExportKind.Stream)]
    [TestCase(ExportKind.Service)]
    public void ImportsFormingACycleAreAConfigurationError(ExportKind kind)
    {
        // nats-server: "Error adding stream import "foo": import forms a cycle". At run time the
        // messages would bounce between the accounts.
        var options = With(Mutual("A", "B", kind, "foo"), Mutual("B", "A", kind, "foo"));
        var error = Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
        Assert.That(error!.Message, Does.Contain("cycle"));
    }

    [Test]
    public void ALongerStreamCycleIsAConfigurationErrorToo()
    {
        var options = With(Mutual("A", "C", ExportKind.Stream, "foo.>"), Mutual("B", "A", ExportKind.Stream, "foo.>"), Mutual("C", "B", ExportKind.Stream, "foo.>"));
        Assert.Throws<ConfigurationException>(() => _ = new NatsServer(options));
    }

    [Test]
    public void MutualImportsOfDifferentSubjectsAreNoCycle()
    {
        var a = new AccountConfig
        {
            Name = "A",
            Exports = [new ExportConfig { Kind = ExportKind.Stream, Subject = "a.>" }],
            Imports = [new ImportConfig { Kind = ExportKind.Stream, Account = "B", Subject = "b.>" }],
        };
        var b = new AccountConfig
        {
            Name = "B",
            Exports = [new ExportConfig { Kind = ExportKind.Stream, Subject = "b.>" }],
            Imports = [new ImportConfig { Kind = ExportKind.Stream, Account = "A", Subject = "a.>" }],
        };
        Assert.DoesNotThrow(() => _ = new NatsServer(With(a, b)));
    }
}
