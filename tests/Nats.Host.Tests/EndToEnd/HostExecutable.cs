using System.Diagnostics;
using Nats.TestSupport;

namespace Nats.Host.Tests.EndToEnd;

/// <summary>
/// Finds the built host (<c>host/bin/&lt;configuration&gt;/net10.0/nats-server.dll</c>) by walking up
/// from the test assembly (<see cref="Repository"/>), building it once if it is missing.
/// </summary>
internal static class HostExecutable
{
    private static readonly Lazy<string> Dll = new(Locate);
    private static readonly Lazy<string> Bare = new(MakeBare);

    public static string Path => Dll.Value;

    /// <summary>
    /// The built host without the plugins it ships (its <c>plugins/</c> folder left out): a build
    /// of the kernel alone, for what the server does when a plugin is not there. A copy (about
    /// 20 MB; links would not do, the .NET host resolves them to the real folder and its plugins),
    /// made once per test run in the tests' build output.
    /// </summary>
    public static string BarePath => Bare.Value;

    private static string MakeBare()
    {
        var source = System.IO.Path.GetDirectoryName(Path)!;
        // Next to the tests' own build output: refreshed by every run, cleaned with the build.
        var bare = System.IO.Path.Combine(AppContext.BaseDirectory, "bare-host");
        Copy(new DirectoryInfo(source), bare, skip: "plugins");
        return System.IO.Path.Combine(bare, System.IO.Path.GetFileName(Path));
    }

    private static void Copy(DirectoryInfo source, string destination, string? skip = null)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in source.EnumerateFiles())
        {
            file.CopyTo(System.IO.Path.Combine(destination, file.Name), overwrite: true);
        }
        foreach (var folder in source.EnumerateDirectories().Where(d => d.Name != skip))
        {
            Copy(folder, System.IO.Path.Combine(destination, folder.Name));
        }
    }

    private static string Locate()
    {
        // bin/<configuration>/<tfm>/: build and look for the host in the same configuration.
        var dll = Repository.HostDll;
        if (!File.Exists(dll))
        {
            Build(Repository.Root, Repository.Configuration);
        }
        return File.Exists(dll) ? dll : throw new FileNotFoundException("The host was not built.", dll);
    }

    private static void Build(string root, string configuration)
    {
        var build = Process.Start(new ProcessStartInfo("dotnet", ["build", System.IO.Path.Combine(root, "host", "Nats.Host.csproj"), "-c", configuration, "-nologo", "-v", "q"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = build.StandardOutput.ReadToEndAsync();
        var errors = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            build.Kill(entireProcessTree: true);
            throw new TimeoutException("Building the host took more than 5 minutes.");
        }
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"Building the host failed:\n{output.Result}\n{errors.Result}");
        }
    }
}
