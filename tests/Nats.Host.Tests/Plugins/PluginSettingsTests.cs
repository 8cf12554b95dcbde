using System.Reflection;
using Nats.Core.Config;
using Nats.Server.Hosting.Plugins;
using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>The <c>plugins {}</c> section, folder discovery and which assemblies plugins share with the host.</summary>
[TestFixture]
public sealed class PluginSettingsTests
{
    private static PluginSettings Parse(string text) => PluginSettings.Parse(ConfParser.ParseString(text, "p.conf")["plugins"]);

    [Test]
    public void Without_a_section_every_plugin_runs_and_none_is_optional()
    {
        var settings = PluginSettings.Parse(null);
        Assert.That((settings.Directory, settings.Load, settings.Optional.Count), Is.EqualTo(((string?)null, (IReadOnlyList<string>?)null, 0)));
        Assert.That(settings.IsSelected("anything"), Is.True);
        Assert.That(settings.IsOptional("anything"), Is.False);
    }

    [Test]
    public void The_section_names_a_directory_the_plugins_to_load_and_the_optional_ones()
    {
        var settings = Parse("plugins { dir: \"/opt/p\", load: [alpha, Beta], optional: gamma }");
        Assert.That(settings.Directory, Is.EqualTo("/opt/p"));
        Assert.That(settings.IsSelected("ALPHA"), Is.True, "names compare without case");
        Assert.That(settings.IsSelected("gamma"), Is.False);
        Assert.That(settings.IsSelected("other", "beta"), Is.True, "a folder name selects too");
        Assert.That(settings.IsOptional("Gamma"), Is.True);
        Assert.That(settings.WithDirectory("/cli").Directory, Is.EqualTo("/cli"), "--plugins_dir wins over dir");
        Assert.That(settings.WithDirectory(null).Directory, Is.EqualTo("/opt/p"));
    }

    [Test]
    public void Equal_sections_parse_equal_so_a_reload_sees_no_change()
    {
        Assert.That(Parse("plugins { load: [a, b] }"), Is.EqualTo(Parse("plugins { load: [\"a\", \"b\"] }")));
        Assert.That(Parse("plugins { load: [a, b] }"), Is.Not.EqualTo(Parse("plugins { load: [a] }")));
        Assert.That(Parse("plugins { }"), Is.Not.EqualTo(Parse("plugins { load: [] }")), "load: [] runs nothing, no load runs everything");
    }

    [TestCase("plugins: 1", "p.conf:1:10: plugins: expected a map")]
    [TestCase("plugins { dirr: x }", "p.conf:1:11: plugins: unknown field \"dirr\"")]
    [TestCase("plugins { load: 3 }", "p.conf:1:11: plugins.load: expected a list of plugin names")]
    [TestCase("plugins { optional: [a, 2] }", "plugins.optional: expected plugin names, got integer")]
    [TestCase("plugins { dir: \"\" }", "plugins.dir: expected a directory name")]
    public void Bad_values_name_the_option(string text, string error)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(text))!;
        Assert.That(e.Message, Does.Contain(error));
    }

    [Test]
    public void Discovery_lists_folders_and_a_configured_folder_replaces_a_stock_one_of_the_same_name()
    {
        using var dir = new TempDirectory();
        foreach (var path in new[] { "stock/A", "stock/B", "stock/.hidden", "extra/B", "extra/C" })
        {
            Directory.CreateDirectory(dir.File(path));
        }

        var folders = PluginDiscovery.Find(dir.File("stock"), dir.File("extra"));

        Assert.That(folders.Select(f => f.Name), Is.EqualTo(new[] { "A", "B", "C" }));
        Assert.That(folders[1].Path, Is.EqualTo(dir.File("extra/B")));
        Assert.That(folders[1].EntryAssemblyPath, Is.EqualTo(dir.File("extra/B/B.dll")));
        Assert.That(PluginDiscovery.Find(dir.File("no-stock"), null), Is.Empty, "no stock plugins is fine");
        var missing = Assert.Throws<ConfigurationException>(() => PluginDiscovery.Find(dir.File("stock"), dir.File("missing")))!;
        Assert.That(missing.Message, Is.EqualTo($"plugins directory \"{dir.File("missing")}\" does not exist"));
    }

    [TestCase("Nats.Core", true)]
    [TestCase("System.Composition.Hosting", true)]
    [TestCase("Microsoft.Extensions.Logging.Abstractions", true)]
    [TestCase("Newtonsoft.Json", false)]
    [TestCase("NSec.Cryptography", false)]
    [TestCase("VersionedDep", false)]
    public void The_contract_is_shared_everything_else_a_plugin_carries_is_private(string name, bool shared)
    {
        // The framework is not listed: plugins never carry it, so the plugin's context falls back
        // to the host's. Newtonsoft.Json and NSec are private: a plugin may bring another version.
        Assert.That(SharedAssemblies.IsShared(new AssemblyName(name)), Is.EqualTo(shared));
    }
}
