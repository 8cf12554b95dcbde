using System.Composition;
using Nats.Core.Plugins;
using Nats.Server.Hosting.Plugins;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// Which plugin classes the host creates directly and which it leaves to System.Composition:
/// direct creation must never change what a plugin gets, so anything that composition would
/// wire (imports, an importing constructor, other parts) keeps the container.
/// </summary>
[TestFixture]
public sealed class PluginCreationTests
{
    [TestCase(typeof(Plain), true)]
    [TestCase(typeof(WithImportingConstructor), false)]
    [TestCase(typeof(WithImportedProperty), false)]
    [TestCase(typeof(WithImportsSatisfied), false)]
    [TestCase(typeof(AbstractPlugin), false)]
    [TestCase(typeof(InheritsItsExport), false)]
    public void Only_a_class_a_container_would_just_new_up_is_created_directly(Type type, bool plain) =>
        Assert.That(PluginTypes.IsPlain(type), Is.EqualTo(plain));

    [Test]
    public void An_assembly_with_other_parts_is_composed_and_its_imports_are_satisfied()
    {
        // This assembly exports a helper part besides its plugins: it needs the container.
        var assembly = typeof(PluginCreationTests).Assembly;
        var types = PluginTypes.Of(assembly);
        Assert.That(types.Plain, Is.Null);
        Assert.That(types.Names, Does.Contain("test-plain").And.Contain("test-importing"));

        var folder = new LoadedFolder(new PluginFolder("Tests", AppContext.BaseDirectory), null!, assembly);
        using var composition = PluginComposition.Compose([folder], (_, reason) => Assert.Fail(reason));
        var importing = composition.Exports.Single(e => e.Metadata.Name == "test-importing");
        Assert.That(((WithImportingConstructor)importing.Create()).Helper, Is.Not.Null, "the container satisfied the import");
        var plain = composition.Exports.Single(e => e.Metadata.Name == "test-plain");
        Assert.That(plain.Metadata.Order, Is.EqualTo(7));
        Assert.That(plain.Create(), Is.InstanceOf<Plain>());
    }

    [Test]
    public void A_plain_plugin_is_created_without_a_container_with_the_attributes_name_and_order()
    {
        var export = PluginExport.Direct(typeof(Plain), new ServerPluginAttribute("test-plain") { Order = 7 });
        Assert.That(export.Metadata.Name, Is.EqualTo("test-plain"));
        Assert.That(export.Metadata.Order, Is.EqualTo(7));
        Assert.That(export.Create(), Is.InstanceOf<Plain>());
        Assert.That(export.Create(), Is.Not.SameAs(export.Create()), "a new plugin each time, as a non-shared export");
    }

    public abstract class PluginBase : IServerPlugin
    {
        public void Configure(IServerContext context)
        {
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [ServerPlugin("test-plain", Order = 7)]
    public sealed class Plain : PluginBase;

    [Export]
    public sealed class Helper;

    [ServerPlugin("test-importing")]
    public sealed class WithImportingConstructor : PluginBase
    {
        [ImportingConstructor]
        public WithImportingConstructor(Helper helper) => Helper = helper;

        public Helper Helper { get; }
    }

    [ServerPlugin("test-imported-property")]
    public sealed class WithImportedProperty : PluginBase
    {
        [Import]
        public Helper? Helper { get; set; }
    }

    [ServerPlugin("test-imports-satisfied")]
    public sealed class WithImportsSatisfied : PluginBase
    {
        [OnImportsSatisfied]
        public void Ready()
        {
        }
    }

    [ServerPlugin("test-abstract")]
    public abstract class AbstractPlugin : PluginBase;

    public sealed class InheritsItsExport : AbstractPlugin;
}
