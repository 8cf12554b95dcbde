namespace Nats.TestSupport;

/// <summary>
/// Where the repository and its builds are, found from the test assembly's output directory
/// (<c>tests/&lt;project&gt;/bin/&lt;configuration&gt;/&lt;tfm&gt;/</c>): tests that start the built host,
/// build plugin assets or read sources use these instead of walking up to <c>Plugins.sln</c> themselves.
/// </summary>
public static class Repository
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    /// <summary>The repository root (where Plugins.sln is).</summary>
    public static string Root => RootDirectory.Value;

    /// <summary>The configuration the tests were built in (Debug or Release), from their output directory.</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory).Parent?.Name ?? "Release";

    /// <summary>A path below the repository root.</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The built host of the tests' configuration (<c>host/bin/&lt;configuration&gt;/net10.0/nats-server.dll</c>); it may not exist yet.</summary>
    public static string HostDll => PathOf("host", "bin", Configuration, "net10.0", "nats-server.dll");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Plugins.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"No Plugins.sln above {AppContext.BaseDirectory}: the tests must run from a build inside the repository.");
    }
}
