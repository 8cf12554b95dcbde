using System.Text.RegularExpressions;

namespace Nats.Packaging.Tests;

/// <summary>
/// Packs once for every test (the packing, the template and the two projects' restore and build
/// are most of the time): build/pack-check.sh packs this build's outputs (--no-build) into a
/// feed and checks the installed tool serves a client; then a plugin project and its test project
/// are made from the template and an application referencing the hosting and WebSocket plugin
/// packages is written, and all three are restored and built in one go (one solution, one restore).
/// </summary>
[SetUpFixture]
public sealed class Packed
{
    private static string? _work;

    /// <summary>The temporary folder everything is made in, outside the repository.</summary>
    public static string Work => _work ?? throw new InvalidOperationException("not packed");

    /// <summary>The repository (where Plugins.sln is).</summary>
    public static string Root { get; private set; } = "";

    /// <summary>The one version of every package (Directory.Build.props).</summary>
    public static string Version { get; private set; } = "";

    /// <summary>The nats-server command of the installed tool.</summary>
    public static string Tool => Path.Combine(Work, "tool", "nats-server");

    /// <summary>The build output of the plugin made from the template (MyAuth/MyAuth).</summary>
    public static string PluginOutput => Path.Combine(Work, "src", "MyAuth", "MyAuth", "bin", "Release", "net10.0");

    /// <summary>The NUnit project the template makes beside the plugin (MyAuth/MyAuth.Tests), built.</summary>
    public static string PluginTests => Path.Combine(Work, "src", "MyAuth", "MyAuth.Tests", "MyAuth.Tests.csproj");

    /// <summary>The application that references Nats.Server.Hosting and Nats.Server.Plugins.WebSocket.</summary>
    public static string AppDll => Path.Combine(Work, "src", "App", "bin", "Release", "net10.0", "App.dll");

    /// <summary>For every child: restores go to this run's own package cache (see pack-check.sh).</summary>
    public static IDictionary<string, string> Environment { get; } = new Dictionary<string, string>();

    [OneTimeSetUp]
    public async Task PackAsync()
    {
        var root = RepositoryRoot();
        Root = root;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";
        Version = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        _work = Directory.CreateTempSubdirectory("nats-packaging-").FullName;

        // Packs with the machine's package cache (the build's assets point there); sets up the run's own.
        await Dotnet.RunAsync("bash", root, TimeSpan.FromMinutes(4),
            Path.Combine(root, "build", "pack-check.sh"), "--no-build", "-c", configuration, "--work", Work);
        Environment["NUGET_PACKAGES"] = Path.Combine(Work, "packages");

        var src = Directory.CreateDirectory(Path.Combine(Work, "src")).FullName;
        var hive = Path.Combine(Work, "template-hive");   // not the user's template store
        await Dotnet.RunAsync("dotnet", Work, TimeSpan.FromMinutes(1),
            "new", "install", Path.Combine(Work, "feed", $"Nats.Server.Templates.{Version}.nupkg"), "--debug:custom-hive", hive);
        await Dotnet.RunAsync("dotnet", src, TimeSpan.FromMinutes(1),
            "new", "nats-plugin", "-n", "MyAuth", "-o", Path.Combine(src, "MyAuth"), "--debug:custom-hive", hive);
        WriteApp(Path.Combine(src, "App"));
        File.WriteAllText(Path.Combine(src, "all.slnx"),
            """
            <Solution>
              <Project Path="App/App.csproj" />
              <Project Path="MyAuth/MyAuth/MyAuth.csproj" />
              <Project Path="MyAuth/MyAuth.Tests/MyAuth.Tests.csproj" />
            </Solution>
            """);
        File.Copy(Path.Combine(Work, "NuGet.config"), Path.Combine(src, "NuGet.config"));
        await Dotnet.RunAsync("dotnet", src, TimeSpan.FromMinutes(4), "build", "all.slnx", "-c", "Release", "-nologo", "-v", "q", "-nodeReuse:false");
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (_work is not null && TestContext.CurrentContext.Result.FailCount == 0)
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    /// <summary>A worker app as a user writes it: the server's settings are the "Nats" section.</summary>
    private static void WriteApp(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "App.csproj"),
            $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <FrameworkReference Include="Microsoft.AspNetCore.App" />
                <PackageReference Include="Nats.Server.Hosting" Version="{Version}" />
                <PackageReference Include="Nats.Server.Plugins.WebSocket" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"),
            """
            using Microsoft.Extensions.Hosting;
            using Nats.Server.Hosting;

            var builder = Host.CreateApplicationBuilder(args);
            builder.Services.AddNatsServer(builder.Configuration.GetSection("Nats"));
            builder.Build().Run();
            """);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Plugins.sln")))
        {
            directory = directory.Parent;
        }
        Assert.That(directory, Is.Not.Null, $"no Plugins.sln above {AppContext.BaseDirectory}");
        return directory!.FullName;
    }
}
