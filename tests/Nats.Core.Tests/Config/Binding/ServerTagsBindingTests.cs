using Nats.Core.Config;
using static Nats.Core.Tests.Config.Binding.BindingTestSupport;

namespace Nats.Core.Tests.Config.Binding;

[TestFixture]
public sealed class ServerTagsBindingTests
{
    [Test]
    public void ListOfTagsIsTrimmedAndDeduplicated() =>
        Assert.That(Bind("server_tags: [\"az:1\", \" ssd \", \"az:1\", \"\"]").Options.Tags, Is.EqualTo(new[] { "az:1", "ssd" }));

    [Test]
    public void OneStringIsOneTag() =>
        Assert.That(Bind("server_tags: \"az:1\"").Options.Tags, Is.EqualTo(new[] { "az:1" }));

    [Test]
    public void ANonStringIsRefused() =>
        Assert.That(BindError("server_tags: [1]").Reason, Does.Contain("error parsing tags: unsupported type"));

    [Test]
    public void TagsReload() => Assert.That(ReloadPolicy.IsReloadable("Tags"), Is.True);
}
