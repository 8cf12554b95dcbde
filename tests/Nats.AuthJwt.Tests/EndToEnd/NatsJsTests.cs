using System.Diagnostics;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>nats.js (the interop project's pinned <c>nats</c> package) connecting with creds files through <c>credsAuthenticator</c>.</summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class NatsJsTests
{
    private static readonly string JsDirectory = Path.Combine(RepositoryRoot(), "tests", "Nats.Interop.Tests", "js");

    [Test]
    public async Task Nats_js_connects_with_a_creds_file_and_a_revoked_user_is_refused()
    {
        await EnsureNatsJsAsync();
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var revoked = setup.NewUser(account, "revoked", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Revocations = new Nats.AuthJwt.Jwt.Model.RevocationList();
            a.Nats.Revocations.Revoke(revoked.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1));
        });
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), accountJwt));

        var result = await RunNodeAsync("run.mjs", "auth", "mode=creds", $"creds_file={setup.NewUser(account, "js").CredsPath}",
            $"bad_creds_file={revoked.CredsPath}", $"servers={server.Url}", "timeout_ms=30000");

        Assert.That(result, Does.Contain("\"ok\":true").And.Contain("\"good_roundtrip\":true"));
        Assert.That(result, Does.Contain("\"bad_error\":\"").And.Contain("Authorization Violation"));
        Assert.That(result, Does.Contain("\"none_error\":\"").And.Contain("Authorization Violation"));
    }

    private static async Task EnsureNatsJsAsync()
    {
        if (File.Exists(Path.Combine(JsDirectory, "node_modules", "nats", "package.json")))
        {
            return;
        }
        var output = await RunAsync("npm", JsDirectory, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund");
        Assert.That(File.Exists(Path.Combine(JsDirectory, "node_modules", "nats", "package.json")), Is.True, $"npm ci failed:\n{output}");
    }

    private static async Task<string> RunNodeAsync(params string[] args)
    {
        var output = await RunAsync("node", JsDirectory, TimeSpan.FromSeconds(60), args);
        return output.TrimEnd().Split('\n').Last();
    }

    private static async Task<string> RunAsync(string program, string directory, TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} did not finish within {timeout}");
        }
        return await stdout + await stderr;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Plugins.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("no Plugins.sln above the test assembly");
    }
}
