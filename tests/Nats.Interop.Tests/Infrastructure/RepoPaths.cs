namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Locates the repository from the test assembly's output directory. The client scenario
/// sources (js/, c/) are used from the source tree rather than copied to bin/, so that
/// js/node_modules installed once by <c>npm ci</c> is reused across builds and configurations.
/// </summary>
public static class RepoPaths
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>Directory holding Plugins.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>tests/Nats.Interop.Tests in the source tree.</summary>
    public static string ProjectDir => Path.Combine(RepoRoot, "tests", "Nats.Interop.Tests");

    public static string JsDir => Path.Combine(ProjectDir, "js");

    public static string CDir => Path.Combine(ProjectDir, "c");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Plugins.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException(
            $"Plugins.sln not found in any parent of {AppContext.BaseDirectory}; the interop tests must run from a build inside the repository.");
    }
}
