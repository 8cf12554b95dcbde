using Nats.Host.Signals;
using Nats.Host.Tests.EndToEnd;
using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// Building a server with plugins: the stock host build takes in every project under plugins/
/// (here a plugins root the test makes, holding a plugin project written on the spot), and
/// build/publish.sh publishes the host with a chosen list.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(300_000)]
public sealed class CustomBuildTests
{
    private TempDirectory _dir = null!;
    private string _pluginsRoot = null!;

    [OneTimeSetUp]
    public void WriteAPluginProject()
    {
        _dir = new TempDirectory();
        _pluginsRoot = _dir.File("plugins-src");
        var project = Path.Combine(_pluginsRoot, "Greeter");
        Directory.CreateDirectory(project);
        var core = Path.Combine(Repository.Root, "core", "Nats.Core.csproj");
        // Outside the repository: nothing inherited, as for a third party.
        File.WriteAllText(Path.Combine(project, "Greeter.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <Version>3.1.4</Version>
                <IncludeSourceRevisionInInformationalVersion>false</IncludeSourceRevisionInInformationalVersion>
                <EnableDynamicLoading>true</EnableDynamicLoading>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{core}" Private="false" ExcludeAssets="runtime" />
                <None Include="plugin.toml" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "plugin.toml"), "name = \"greeter\"\nversion = \"3.1.4\"\nkernel_api = \"1.0\"\n");
        // A project without a manifest is a library, not a plugin: the stock build leaves it out.
        Directory.CreateDirectory(Path.Combine(_pluginsRoot, "NotAPlugin"));
        File.WriteAllText(Path.Combine(_pluginsRoot, "NotAPlugin", "NotAPlugin.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(project, "GreeterPlugin.cs"), """
            using Microsoft.Extensions.Logging;
            using Nats.Core.Plugins;

            [ServerPlugin("greeter")]
            public sealed class GreeterPlugin : IServerPlugin
            {
                public void Configure(IServerContext context) => context.Logging.CreateLogger("greeter").LogInformation("greeter: hello");
                public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
                public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            }
            """);
    }

    [OneTimeTearDown]
    public void Clean() => _dir.Dispose();

    [Test]
    public async Task The_stock_host_build_includes_every_project_under_plugins_with_a_manifest()
    {
        var output = _dir.File("build-out/plugins");
        DotnetCommand.Run("dotnet",
            ["build", Path.Combine(Repository.Root, "host", "Nats.Host.csproj"), "-c", Repository.Configuration, "-nologo", "-v", "q",
             $"-p:PluginsRoot={_pluginsRoot}", $"-p:PluginsOutputDir={output}"],
            Repository.Root);

        var folder = Path.Combine(output, "Greeter");
        Assert.That(File.Exists(Path.Combine(folder, "Greeter.dll")), Is.True);
        Assert.That(File.Exists(Path.Combine(folder, "plugin.toml")), Is.True);
        Assert.That(Directory.Exists(Path.Combine(output, "NotAPlugin")), Is.False, "no manifest, not deployed");
        Assert.That(File.Exists(Path.Combine(folder, "Greeter.deps.json")), Is.True);
        Assert.That(Directory.GetFiles(folder, "Nats.Core.dll"), Is.Empty, "the contracts come from the host");
        Assert.That(Directory.GetFiles(folder, "System.Composition*.dll"), Is.Empty);

        using var host = HostProcess.Start(_dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}", "--plugins_dir", output);
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain("greeter: hello").And.Contain($"Loaded plugin greeter 3.1.4 from {folder}"));
    }

    [Test]
    public async Task Publish_script_builds_a_server_with_the_chosen_plugins()
    {
        var published = _dir.File("published");
        DotnetCommand.Run(Path.Combine(Repository.Root, "build", "publish.sh"),
            ["--plugins", Path.Combine(_pluginsRoot, "Greeter", "Greeter.csproj"), "--out", published, "-c", Repository.Configuration],
            _dir.Path);

        Assert.That(File.Exists(Path.Combine(published, "nats-server.dll")), Is.True);
        Assert.That(File.Exists(Path.Combine(published, "plugins", "Greeter", "Greeter.dll")), Is.True);

        // The published server finds its plugins next to itself, with no flag or config.
        using var host = HostProcess.StartDll(Path.Combine(published, "nats-server.dll"), _dir.Path, "-a", "127.0.0.1", "-p", $"{FreePorts.Take()}");
        await host.WaitForLogAsync("Server is ready");
        Assert.That(host.StandardError, Does.Contain($"Loaded plugin greeter 3.1.4 from {Path.Combine(published, "plugins", "Greeter")}"));
        host.Signal(UnixSignal.Terminate);
        Assert.That(await host.WaitForExitAsync(), Is.EqualTo(0));
    }
}
