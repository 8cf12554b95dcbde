using Nats.TestSupport;

namespace Nats.Host.Tests.Plugins;

/// <summary>
/// The plugins the tests load, built once per test run (by test.sh, or here when run alone) from <c>tests/PluginAssets/PluginAssets.sln</c>
/// (the alpha/beta isolation pair with their two versions of VersionedDep, the failing plugin,
/// and the HtpasswdAuth sample), in the tests' own configuration so that the kernel they compile
/// against is the build already there. Tests copy the built folders into a temp plugins directory.
/// </summary>
internal static class PluginAssets
{
    private static readonly Lazy<string> Built = new(Build, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Copies the build output of <paramref name="project"/> (a folder under tests/PluginAssets, or
    /// "HtpasswdAuth" for the sample) into <paramref name="pluginsDirectory"/>/&lt;project&gt;/, as
    /// an operator deploys a plugin. Returns that folder.
    /// </summary>
    public static string Install(string pluginsDirectory, string project)
    {
        var source = OutputOf(project);
        var target = Path.Combine(pluginsDirectory, project);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
        return target;
    }

    /// <summary>The build output folder of <paramref name="project"/>, building all assets first if this run has not yet.</summary>
    public static string OutputOf(string project)
    {
        _ = Built.Value;
        var projectDirectory = project == "HtpasswdAuth"
            ? Path.Combine(Repository.Root, "samples", "HtpasswdAuth")
            : Path.Combine(Repository.Root, "tests", "PluginAssets", project);
        return Path.Combine(projectDirectory, "bin", Repository.Configuration, "net10.0");
    }

    private static string Build()
    {
        // test.sh builds the assets once before the test projects start; a run on its own (an IDE, a
        // filtered `dotnet test`) builds them here.
        if (Environment.GetEnvironmentVariable("NATS_TEST_PLUGIN_ASSETS_BUILT") == "1")
        {
            return Repository.Root;
        }
        DotnetCommand.Run("dotnet", ["build", Path.Combine(Repository.Root, "tests", "PluginAssets", "PluginAssets.sln"), "-c", Repository.Configuration, "-nologo", "-v", "q"], Repository.Root);
        return Repository.Root;
    }
}
