namespace Nats.Hosting.Tests;

/// <summary>The built samples (<c>samples/&lt;Name&gt;/bin/&lt;configuration&gt;/net10.0/&lt;Name&gt;.dll</c>), built with this project.</summary>
internal static class SampleApp
{
    /// <summary>The ASP.NET Core sample.</summary>
    public static string Dll => DllOf("AspNetCoreHost");

    /// <summary>The path of sample <paramref name="name"/>'s built assembly.</summary>
    public static string DllOf(string name)
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var root = testDirectory;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Plugins.sln")))
        {
            root = root.Parent;
        }
        Assert.That(root, Is.Not.Null, $"no Plugins.sln above {testDirectory.FullName}");
        var configuration = testDirectory.Parent?.Name ?? "Release";
        var dll = Path.Combine(root!.FullName, "samples", name, "bin", configuration, "net10.0", name + ".dll");
        Assert.That(File.Exists(dll), Is.True, $"the sample is built with this project: {dll}");
        return dll;
    }
}
