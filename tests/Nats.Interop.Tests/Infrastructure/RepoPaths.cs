using Nats.TestSupport;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Locates the repository from the test assembly's output directory. The client scenario
/// sources (js/, c/) are used from the source tree rather than copied to bin/, so that
/// js/node_modules installed once by <c>npm ci</c> is reused across builds and configurations.
/// </summary>
public static class RepoPaths
{
    /// <summary>Directory holding Plugins.sln.</summary>
    public static string RepoRoot => Repository.Root;

    /// <summary>tests/Nats.Interop.Tests in the source tree.</summary>
    public static string ProjectDir => Path.Combine(RepoRoot, "tests", "Nats.Interop.Tests");

    public static string JsDir => Path.Combine(ProjectDir, "js");

    public static string CDir => Path.Combine(ProjectDir, "c");
}
