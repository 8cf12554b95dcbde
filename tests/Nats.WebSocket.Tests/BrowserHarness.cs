using System.Diagnostics;
using Microsoft.Playwright;

namespace Nats.WebSocket.Tests;

/// <summary>
/// Debian's chromium driven by Playwright (no browser download), with a page served from a
/// made-up origin (<see cref="Origin"/>) that loads nats.ws from browser/node_modules
/// (installed with <c>npm ci</c> on first use). Tests skip only when chromium is not installed.
/// </summary>
internal sealed class BrowserHarness : IAsyncDisposable
{
    /// <summary>The page's origin, as the browser sends it in the upgrade's Origin header.</summary>
    public const string Origin = "http://localhost:48080";

    private static readonly string[] ChromiumPaths = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"];
    private static readonly SemaphoreSlim InstallGate = new(1, 1);

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private BrowserHarness(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
    }

    // Reached through EvaluateAsync only, so that every evaluation is bounded.
    private IPage Page { get; }

    /// <summary>The bound of one <see cref="EvaluateAsync{T}"/> unless the call names another.</summary>
    public static readonly TimeSpan DefaultEvaluateTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs <paramref name="script"/> in the page, bounded: Playwright's default timeouts do not
    /// cover an evaluation, so a promise that never settles (a connect or flush that waits for a
    /// server that is gone, a page the loaded machine stopped scheduling) would hang the test run.
    /// </summary>
    /// <exception cref="TimeoutException">The script did not finish within <paramref name="timeout"/>.</exception>
    public Task<T> EvaluateAsync<T>(string script, TimeSpan? timeout = null) =>
        BoundedAsync(Page.EvaluateAsync<T>(script), script, timeout ?? DefaultEvaluateTimeout);

    /// <summary><see cref="EvaluateAsync{T}"/> for a script whose result is not needed.</summary>
    public Task EvaluateAsync(string script, TimeSpan? timeout = null) =>
        BoundedAsync(Page.EvaluateAsync(script), script, timeout ?? DefaultEvaluateTimeout);

    private static async Task<T> BoundedAsync<T>(Task<T> evaluation, string script, TimeSpan bound)
    {
        try
        {
            return await evaluation.WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the page did not finish within {bound.TotalSeconds:0.#} s: {Describe(script)}");
        }
    }

    // The script on one line, cut short: enough to tell which evaluation hung.
    private static string Describe(string script)
    {
        var oneLine = string.Join(' ', script.Split((char[])['\n', '\r', ' '], StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= 160 ? oneLine : oneLine[..160] + "…";
    }

    /// <summary>Starts chromium with the nats.ws page open, or marks the test skipped when chromium is missing.</summary>
    /// <param name="trustedCertificate">A certificate chromium should trust for wss:// (by its public key, as <c>--ignore-certificate-errors-spki-list</c> does).</param>
    public static async Task<BrowserHarness> StartAsync(System.Security.Cryptography.X509Certificates.X509Certificate2? trustedCertificate = null)
    {
        var chromium = ChromiumPaths.FirstOrDefault(File.Exists);
        if (chromium is null)
        {
            Assert.Ignore("chromium is not installed (./test.sh installs Debian's chromium package)");
        }
        var natsWs = await EnsureNatsWsAsync();
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            // Tests run as root in CI containers, where chromium's sandbox cannot start. The page's
            // origin is served by Playwright (no real address), which chromium's local network
            // access checks would treat as public and so block from reaching 127.0.0.1.
            Args = trustedCertificate is null
                ? ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks"]
                : ["--no-sandbox", "--disable-features=LocalNetworkAccessChecks",
                   "--ignore-certificate-errors-spki-list=" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(trustedCertificate.PublicKey.ExportSubjectPublicKeyInfo()))],
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync();
        var harness = new BrowserHarness(playwright, browser, page);
        try
        {
            page.SetDefaultTimeout(20_000);
            await page.RouteAsync($"{Origin}/**", route => route.Request.Url.EndsWith("/nats.js", StringComparison.Ordinal)
                ? route.FulfillAsync(new RouteFulfillOptions { Path = natsWs, ContentType = "text/javascript" })
                : route.FulfillAsync(new RouteFulfillOptions { Body = "<!doctype html><title>nats.ws</title>", ContentType = "text/html" }));
            await page.GotoAsync($"{Origin}/");
            await harness.EvaluateAsync("async () => { window.nats = await import('/nats.js'); }");
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>The nats.ws ESM bundle, installing the pinned package first when missing.</summary>
    private static async Task<string> EnsureNatsWsAsync()
    {
        var dir = FindBrowserDir();
        var bundle = Path.Combine(dir, "node_modules", "nats.ws", "esm", "nats.js");
        await InstallGate.WaitAsync();
        try
        {
            if (!File.Exists(bundle))
            {
                var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
                using var npm = Process.Start(psi)!;
                var output = npm.StandardOutput.ReadToEndAsync();
                var errors = npm.StandardError.ReadToEndAsync();
                using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                await npm.WaitForExitAsync(cts.Token);
                if (npm.ExitCode != 0)
                {
                    throw new InvalidOperationException($"npm ci in {dir} failed: {await output}{await errors}");
                }
            }
        }
        finally
        {
            InstallGate.Release();
        }
        return bundle;
    }

    private static string FindBrowserDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Nats.WebSocket.Tests", "browser");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("tests/Nats.WebSocket.Tests/browser not found above " + AppContext.BaseDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Bounded too: a browser that stopped answering is left to the driver, which
            // Dispose stops (and chromium with it).
            await _browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
        }
        finally
        {
            _playwright.Dispose();
        }
    }
}
