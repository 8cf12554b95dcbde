using System.Diagnostics;

namespace Nats.TestSupport;

/// <summary>Prometheus' own linter (Debian's prometheus package), for /metrics pages.</summary>
public static class Promtool
{
    private const string Path = "/usr/bin/promtool";

    /// <summary>
    /// Asserts <c>promtool check metrics</c> exits 0 and finds nothing in <paramref name="metrics"/>;
    /// does nothing where promtool is not installed.
    /// </summary>
    public static async Task AssertCleanAsync(string metrics, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Path))
        {
            return;
        }
        var psi = new ProcessStartInfo(Path, "check metrics")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        using var promtool = Process.Start(psi)!;
        var output = promtool.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = promtool.StandardError.ReadToEndAsync(cts.Token);
        await promtool.StandardInput.WriteAsync(metrics);
        promtool.StandardInput.Close();
        await promtool.WaitForExitAsync(cts.Token);
        Assert.That(promtool.ExitCode, Is.Zero, await output + await errors);
        Assert.That((await output + await errors).Trim(), Is.Empty, "no lint findings");
    }
}
