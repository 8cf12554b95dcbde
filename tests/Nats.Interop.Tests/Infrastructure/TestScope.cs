using System.Text;

using Nats.TestSupport;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Everything one test starts: servers, clusters and client processes, all under one temp
/// directory. Disposal stops them all, prints their logs when the test did not pass, and
/// deletes the directory.
/// </summary>
public sealed class TestScope : IAsyncDisposable
{
    /// <summary>Default time a client scenario gives itself before reporting a timeout.</summary>
    public static readonly TimeSpan DefaultClientTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Extra time the harness allows beyond the client's own limit (node/process start-up).</summary>
    private static readonly TimeSpan HarnessGrace = TimeSpan.FromSeconds(15);

    private readonly List<ServerUnderTest> _servers = [];
    private readonly List<ClientProcess> _clients = [];
    private int _clientCount;

    public TestScope(string testName)
    {
        var safe = new string(testName.Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray());
        if (safe.Length > 60)
            safe = safe[..60];
        Dir = Path.Combine(InteropRun.Dir, $"{safe}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(Dir);
    }

    public string Dir { get; }

    /// <summary>
    /// Cancelled when the test's [CancelAfter] budget runs out. Read from the current context on
    /// each use because NUnit only attaches that token while the test method itself runs.
    /// </summary>
    public static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    /// <summary>Starts a server from <paramref name="template"/> (default: the server under test).</summary>
    public async Task<ServerUnderTest> StartServerAsync(string extraConfig = "", string? template = null, string name = "s1")
    {
        var server = new ServerUnderTest(name, template ?? ServerCommand.UnderTest, FreePorts.Take(), extraConfig, Dir);
        _servers.Add(server);
        await server.StartAsync(Token);
        return server;
    }

    /// <summary>Creates and starts a 3-member cluster; each member's template is given in order.</summary>
    public async Task<ClusterUnderTest> StartClusterAsync(IReadOnlyList<string> templates, ClusterTopology topology, string extraConfig = "")
    {
        var cluster = ClusterUnderTest.Create(templates, topology, Dir, extraConfig);
        _servers.AddRange(cluster.Members);
        await cluster.StartAsync(Token);
        return cluster;
    }

    /// <summary>Starts a client scenario for tests that react to its progress events.</summary>
    public async Task<ClientProcess> StartClientAsync(ClientKind kind, string scenario, IReadOnlyDictionary<string, string> args, TimeSpan? clientTimeout = null)
    {
        var timeout = clientTimeout ?? DefaultClientTimeout;
        var argv = new List<string>();
        string fileName;
        switch (kind)
        {
            case ClientKind.Js:
                await JsClient.EnsureInstalledAsync();
                fileName = "node";
                argv.Add(JsClient.RunScript);
                break;
            case ClientKind.C:
                fileName = await CClient.EnsureCompiledAsync();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
        argv.Add(scenario);
        argv.Add($"timeout_ms={(long)timeout.TotalMilliseconds}");
        argv.AddRange(args.Select(kv => $"{kv.Key}={kv.Value}"));

        var name = $"{kind}-{scenario}-{++_clientCount}".ToLowerInvariant();
        var client = ClientProcess.Start(name, fileName, argv, Dir, Path.Combine(Dir, name + ".log"));
        _clients.Add(client);
        return client;
    }

    /// <summary>Runs a client scenario to completion and returns its result line.</summary>
    public async Task<ScenarioResult> RunClientAsync(ClientKind kind, string scenario, IReadOnlyDictionary<string, string> args, TimeSpan? clientTimeout = null)
    {
        var client = await StartClientAsync(kind, scenario, args, clientTimeout);
        return await client.WaitForResultAsync(ResultTimeout(clientTimeout), Token);
    }

    public static TimeSpan ResultTimeout(TimeSpan? clientTimeout) => (clientTimeout ?? DefaultClientTimeout) + HarnessGrace;

    public async ValueTask DisposeAsync() => await DisposeAsync(printLogs: false);

    public async ValueTask DisposeAsync(bool printLogs)
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
        foreach (var server in _servers)
            await server.DisposeAsync();
        if (printLogs)
            TestContext.Out.WriteLine(DescribeLogs());
        InteropRun.TryDelete(Dir);
    }

    private string DescribeLogs()
    {
        var sb = new StringBuilder();
        foreach (var server in _servers)
            sb.Append("==== server ").Append(server.Name).Append(" (").Append(server.Template).Append(") port ")
              .Append(server.Port).Append('\n').Append(ServerUnderTest.Tail(server.ReadLog(), 150)).Append('\n');
        foreach (var client in _clients)
            sb.Append("==== client ").Append(client.Name).Append('\n').Append(ServerUnderTest.Tail(client.Output, 150)).Append('\n');
        return sb.ToString();
    }
}
