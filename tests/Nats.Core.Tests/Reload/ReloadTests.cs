using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.TestSupport;

namespace Nats.Core.Tests.Reload;

[TestFixture]
[CancelAfter(30_000)]
public sealed class ReloadTests
{
    [Test]
    public void EveryKernelOptionHasAReloadDecision()
    {
        var undecided = OptionsDiff.LeafPaths(typeof(ServerOptions))
            .Where(path => !ReloadPolicy.KnownPaths.Contains(path))
            .ToList();
        Assert.That(undecided, Is.Empty, "options added without deciding whether they reload: " + string.Join(", ", undecided));
    }

    [Test]
    public void EveryOptionGroupTheDiffWalksIsKeptForANativeBuild()
    {
        // The groups are the types of the leaf paths' prefixes (Cluster in Cluster.Port...).
        var groups = new HashSet<Type> { typeof(ServerOptions) };
        foreach (var path in OptionsDiff.LeafPaths(typeof(ServerOptions)))
        {
            var type = typeof(ServerOptions);
            foreach (var name in path.Split('.')[..^1])
            {
                type = type.GetProperty(name)!.PropertyType;
                groups.Add(type);
            }
        }
        var kept = typeof(OptionsDiff).GetMethod("Properties", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .GetCustomAttributes(typeof(System.Diagnostics.CodeAnalysis.DynamicDependencyAttribute), false)
            .Cast<System.Diagnostics.CodeAnalysis.DynamicDependencyAttribute>()
            .Select(a => a.Type)
            .ToHashSet();

        Assert.That(groups.Count, Is.GreaterThan(4));
        Assert.That(groups.Where(g => !kept.Contains(g)).Select(g => g.Name), Is.Empty,
            "option groups OptionsDiff walks that a native build would not keep the properties of (add a DynamicDependency)");
    }

    [Test]
    public void EveryOptionValueComparesWithoutReflectionBasedJson()
    {
        // ConfigValues.Same writes each leaf as its declared type; a native build has no
        // reflection-based JSON, so the compile-time metadata must describe every leaf type.
        var context = new System.Text.Json.JsonSerializerOptions { TypeInfoResolver = ConfigJsonContext.Default };
        var missing = new List<string>();
        foreach (var path in OptionsDiff.LeafPaths(typeof(ServerOptions)))
        {
            var type = typeof(ServerOptions);
            foreach (var name in path.Split('.'))
            {
                type = type.GetProperty(name)!.PropertyType;
            }
            if (!context.TryGetTypeInfo(type, out _))
            {
                missing.Add($"{path} ({type.Name})");
            }
        }
        Assert.That(missing, Is.Empty);
        Assert.That(context.TryGetTypeInfo(typeof(AccountConfig), out _), Is.True);

        // Sections no kernel option claimed hold parsed values, written by their runtime type.
        var bound = Nats.Core.Config.Binding.ServerOptionsBinder.Bind(ConfParser.ParseString(
            "port: 4222\nplugin_x { a: 1, b: [\"s\", 2.5, true], c { d: 2026-12-07T00:00:00Z } }\n", "x.conf")).Options;
        Assert.That(bound.Sections, Is.Not.Empty);
        Assert.That(System.Text.Json.JsonSerializer.Serialize(bound.Sections, context.GetTypeInfo(typeof(IReadOnlyDictionary<string, object?>))), Does.Contain("plugin_x"));
    }

    private static ServerOptions Options(Action<ServerOptions>? configure = null)
    {
        var options = new ServerOptions { Host = "127.0.0.1", Port = -1 };
        configure?.Invoke(options);
        return options;
    }

    [Test]
    public async Task ANonReloadableChangeRejectsTheWholeReloadAndChangesNothing()
    {
        await using var server = new NatsServer(Options());
        await server.StartAsync();
        var proposed = Options(o =>
        {
            o.Port = server.Port + 1;
            o.MaxPayload = 1234;
        });

        var result = server.Reload(proposed);

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains("config reload not supported for port"));
        Assert.That(server.Options.MaxPayload, Is.EqualTo(1024 * 1024), "max_payload would reload, but one error rejects all");
    }

    [Test]
    public async Task OnlyASuccessfulReloadMovesTheConfigLoadTime()
    {
        await using var server = new NatsServer(Options());
        await server.StartAsync();
        var atStart = server.ConfigLoadTime;
        await Task.Delay(20);

        Assert.That(server.Reload(Options(o => o.Port = server.Port + 1)).Success, Is.False);
        Assert.That(server.ConfigLoadTime, Is.EqualTo(atStart), "a rejected reload loaded nothing");
        Assert.That(server.Reload(Options(o => o.MaxPayload = 8)).Success, Is.True);
        Assert.That(server.ConfigLoadTime, Is.GreaterThan(atStart), "/varz config_load_time and /accountz update_time follow a reload, as in nats-server");
    }

    [Test]
    public async Task LimitsApplyToNewAndLiveConnections()
    {
        await using var server = new NatsServer(Options());
        await server.StartAsync();
        await using var client = await RawClient.ConnectAndFlushAsync(server.Port);

        var result = server.Reload(Options(o => o.MaxPayload = 8));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Does.Contain("max_payload"));
        Assert.That(server.Info.MaxPayload, Is.EqualTo(8));
        await client.SendAsync("PUB foo 9\r\n123456789\r\n");
        await client.ExpectAsync("-ERR 'Maximum Payload Violation'", TimeSpan.FromSeconds(5));
    }

    [Test]
    public async Task ChangedPasswordDisconnectsClientsThatNoLongerAuthenticate()
    {
        var user = new UserConfig { Username = "u", Password = "old" };
        await using var server = new NatsServer(Options(o => o.Auth.Users = [user]));
        await server.StartAsync();
        await using var client = await RawClient.ConnectAndFlushAsync(server.Port, "{\"user\":\"u\",\"pass\":\"old\",\"verbose\":false}");

        var result = server.Reload(Options(o => o.Auth.Users = [new UserConfig { Username = "u", Password = "new" }]));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        await client.ExpectAsync("-ERR 'Authorization Violation'", TimeSpan.FromSeconds(5));
        await using var fresh = await RawClient.ConnectAndFlushAsync(server.Port, "{\"user\":\"u\",\"pass\":\"new\",\"verbose\":false}");
    }

    [Test]
    public async Task ReloadedPermissionsRemoveForbiddenSubscriptions()
    {
        await using var server = new NatsServer(Options(o => o.Auth.Users = [new UserConfig { Username = "u", Password = "p" }]));
        await server.StartAsync();
        await using var client = await RawClient.ConnectAndFlushAsync(server.Port, "{\"user\":\"u\",\"pass\":\"p\",\"verbose\":false}");
        await client.SendAsync("SUB secret 1\r\n");
        await client.FlushAsync();

        var restricted = new UserConfig
        {
            Username = "u",
            Password = "p",
            Permissions = new PermissionsConfig { Subscribe = new SubjectPermissionConfig { Deny = ["secret"] } },
        };
        Assert.That(server.Reload(Options(o => o.Auth.Users = [restricted])).Success, Is.True);

        await client.ExpectAsync("Permissions Violation for Subscription to \"secret\"", TimeSpan.FromSeconds(5));
        Assert.That(server.Accounts.Global.Sublist.HasInterest("secret"), Is.False);
    }

    private sealed record SampleSection(string Value);

    private sealed class RecordingHook(bool reject) : IReloadHook<SampleSection>
    {
        public List<string> Applied { get; } = [];

        public void Validate(SampleSection current, SampleSection proposed, ReloadValidation validation)
        {
            if (reject)
            {
                validation.Reject("sample.value", "not today");
            }
            else
            {
                validation.Changed("sample.value");
            }
        }

        public void Apply(SampleSection current, SampleSection proposed) => Applied.Add(proposed.Value);
    }

    private static Dictionary<string, object?> Section(string value) =>
        new(StringComparer.OrdinalIgnoreCase) { ["sample"] = ConfParser.ParseString($"sample: {{ value: {value} }}")["sample"] };

    private static SampleSection ParseSample(ConfValue? value) =>
        new(value is null ? "" : value.AsMap()["value"].AsString());

    [Test]
    public async Task APluginSectionObjectingRejectsKernelChangesToo()
    {
        await using var server = new NatsServer(Options(o => o.Sections = Section("a")));
        var hook = new RecordingHook(reject: true);
        var section = server.Config.Bind("sample", ParseSample, hook);
        await server.StartAsync();

        var result = server.Reload(Options(o =>
        {
            o.Sections = Section("b");
            o.MaxPayload = 4096;
        }));

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.Contains("sample.value: not today"));
        Assert.That(section.Current.Value, Is.EqualTo("a"));
        Assert.That(server.Options.MaxPayload, Is.EqualTo(1024 * 1024));
        Assert.That(hook.Applied, Is.Empty);
    }

    [Test]
    public async Task SectionsApplyTogetherWithTheKernel()
    {
        await using var server = new NatsServer(Options(o => o.Sections = Section("a")));
        var hook = new RecordingHook(reject: false);
        var section = server.Config.Bind("sample", ParseSample, hook);
        await server.StartAsync();

        var result = server.Reload(Options(o =>
        {
            o.Sections = Section("b");
            o.MaxPayload = 4096;
        }));

        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors));
        Assert.That(result.Changes, Is.SupersetOf(new[] { "max_payload", "sample.value" }));
        Assert.That(section.Current.Value, Is.EqualTo("b"));
        Assert.That(hook.Applied, Is.EqualTo(new[] { "b" }));
    }

    [Test]
    public async Task ASectionWithoutHookCannotChange()
    {
        await using var server = new NatsServer(Options(o => o.Sections = Section("a")));
        server.Config.Bind("sample", ParseSample);
        await server.StartAsync();

        var result = server.Reload(Options(o => o.Sections = Section("b")));

        Assert.That(result.Success, Is.False);
        Assert.That(result.Errors, Has.Some.StartsWith("sample:"));
    }
}
