using Nats.Core.Config;
using Nats.Core.Config.Binding;

namespace Nats.Core.Tests.Config.Binding;

/// <summary>Shortcuts for the binder tests: configs are bound from strings named <c>test.conf</c>.</summary>
internal static class BindingTestSupport
{
    public const string FileName = "test.conf";

    public static ConfigBindResult Bind(string text) => ServerOptionsBinder.Bind(ConfParser.ParseString(text, FileName));

    public static ServerOptions Options(string text) => Bind(text).Options;

    public static ConfigBindingException BindError(string text) =>
        Assert.Throws<ConfigBindingException>(() => Bind(text))!;

    /// <summary>The error messages of a config that must fail.</summary>
    public static IReadOnlyList<string> Errors(string text) => BindError(text).Errors.Select(e => e.Message).ToList();

    /// <summary>The warnings of a config that must bind.</summary>
    public static IReadOnlyList<string> Warnings(string text) => Bind(text).Warnings.Select(e => e.Message).ToList();
}
