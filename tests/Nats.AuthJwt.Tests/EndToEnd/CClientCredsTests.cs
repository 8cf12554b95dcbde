using System.Diagnostics;
using Nats.AuthJwt.Jwt.Model;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// The C client (libnats, compiled here with gcc from <c>CClient/creds.c</c>) with creds files, as
/// the issue names it beside NATS.Net and nats.js: a good user exchanges a message; a revoked
/// user and a user of an unknown account are refused, by nats-server 2.9.10 and by this server alike.
/// </summary>
[TestFixture]
[CancelAfter(120_000)]
public sealed class CClientCredsTests
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);
    private string _binary = null!;

    [OneTimeSetUp]
    public async Task CompileAsync()
    {
        if (!File.Exists("/usr/include/nats/nats.h"))
        {
            Assert.Ignore("libnats-dev is not installed (./test.sh installs it)");
        }
        var source = Path.Combine(AppContext.BaseDirectory, "CClient", "creds.c");
        _binary = Path.Combine(Directory.CreateTempSubdirectory("authjwt-c").FullName, "creds");
        var (code, output) = await RunAsync("gcc", "-Wall", "-o", _binary, source, "-lnats");
        Assert.That(code, Is.EqualTo(0), "gcc: " + output);
    }

    [Test]
    public async Task Libnats_connects_with_a_creds_file_and_bad_users_are_refused_as_by_nats_server()
    {
        using var setup = new OperatorSetup();
        var account = setup.NewAccount("A");
        var revoked = setup.NewUser(account, "revoked", issuedAt: DateTimeOffset.UtcNow.AddMinutes(-10));
        var accountJwt = setup.AccountJwt(account, a =>
        {
            a.Nats.Revocations = new RevocationList();
            a.Nats.Revocations.Revoke(revoked.Key.PublicKey, DateTimeOffset.UtcNow.AddMinutes(-1));
        });
        var users = new (string What, TestUser User)[]
        {
            ("good", setup.NewUser(account, "good")),
            ("revoked", revoked),
            ("unknown account", setup.NewUser(setup.NewAccount("UNKNOWN"), "stranger")),
        };

        await using var ours = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), accountJwt));
        var actual = await OutcomesAsync(ours.Url, users);
        Assert.That(actual["good"], Is.EqualTo("0 ok hello from libnats"));
        Assert.That(actual["revoked"], Does.StartWith("2 refused"));
        Assert.That(actual["unknown account"], Does.StartWith("2 refused"));
        Assert.That(ours.Server.ClosedClients.Select(c => c.Info.Reason), Does.Contain("Authentication Failure"));

        if (ReferenceServer.FindBinary() is not null)
        {
            var port = FreePorts.Take();
            await using var reference = await ReferenceServer.StartAsync(setup.MemoryConfig(port, accountJwt), port);
            var expected = await OutcomesAsync($"nats://127.0.0.1:{port}", users);
            // The refusal texts are the library's; what matters is the same verdict per user.
            Assert.That(actual.ToDictionary(o => o.Key, o => o.Value.Split(' ')[0]), Is.EqualTo(expected.ToDictionary(o => o.Key, o => o.Value.Split(' ')[0])));
        }
    }

    private async Task<Dictionary<string, string>> OutcomesAsync(string url, (string What, TestUser User)[] users)
    {
        var outcomes = new Dictionary<string, string>();
        foreach (var (what, user) in users)
        {
            var (code, output) = await RunAsync(_binary, url, user.CredsPath, "c.test");
            outcomes[what] = $"{code} {output.Trim()}";
        }
        return outcomes;
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(ToolTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} did not finish within {ToolTimeout}");
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
