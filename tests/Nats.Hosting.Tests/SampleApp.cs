namespace Nats.Hosting.Tests;

/// <summary>The built sample (<c>samples/AspNetCoreHost/bin/&lt;configuration&gt;/net10.0/AspNetCoreHost.dll</c>), built with this project.</summary>
internal static class SampleApp
{
    public static string Dll
    {
        get
        {
            var testDirectory = new DirectoryInfo(AppContext.BaseDirectory);
            var root = testDirectory;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Plugins.sln")))
            {
                root = root.Parent;
            }
            Assert.That(root, Is.Not.Null, $"no Plugins.sln above {testDirectory.FullName}");
            var configuration = testDirectory.Parent?.Name ?? "Release";
            var dll = Path.Combine(root!.FullName, "samples", "AspNetCoreHost", "bin", configuration, "net10.0", "AspNetCoreHost.dll");
            Assert.That(File.Exists(dll), Is.True, $"the sample is built with this project: {dll}");
            return dll;
        }
    }
}
