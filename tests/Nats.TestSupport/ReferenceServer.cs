using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nats.TestSupport;

/// <summary>
/// The reference Go <c>nats-server</c> (Debian's 2.9.10, installed by <c>./test.sh</c>) run
/// as a child process from a config text, for side-by-side comparisons. Killed when disposed.
/// <see cref="StartHostAsync"/> runs this repository's built host the same way, for end-to-end
/// tests of the stock build with its plugins.
/// </summary>
public sealed partial class ReferenceServer : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Process _process;
    private readonly string _directory;
    // Appended to by the process's output threads, read by tests; locked on itself.
    private readonly System.Text.StringBuilder _output;
    // The ports StartWithPortsAsync chose (CLIENT, HTTP and the config's placeholders); set before it returns.
    private IReadOnlyDictionary<string, int> _ports = new Dictionary<string, int>();

    private ReferenceServer(Process process, string directory, System.Text.StringBuilder output)
    {
        _process = process;
        _directory = directory;
        _output = output;
    }

    /// <summary>
    /// The path of the nats-server binary; ignores the calling test (<see cref="Assert.Ignore(string)"/>)
    /// where it is not installed, saying <paramref name="whatRan"/> when the test checked something before.
    /// </summary>
    public static string RequireInstalled(string? whatRan = null)
    {
        var binary = FindBinary();
        if (binary is null)
        {
            Assert.Ignore("nats-server is not installed (./test.sh installs it)" + (whatRan is null ? "" : ": " + whatRan));
        }
        return binary!;
    }

    /// <summary>
    /// Starts nats-server (ignoring the test where it is not installed) listening for clients on
    /// 127.0.0.1 and serving monitoring (<see cref="HttpPort"/>), each on a free port, with
    /// <paramref name="body"/>; every <c>{NAME_PORT}</c> in it becomes a free port too
    /// (<see cref="PortOf"/>). Waits (bounded) until the client port accepts connections.
    /// </summary>
    public static async Task<ReferenceServer> StartWithPortsAsync(string body)
    {
        RequireInstalled();
        var names = PortPlaceholder().Matches(body).Select(m => m.Groups[1].Value).Prepend("HTTP").Prepend("CLIENT").Distinct().ToList();
        var taken = FreePorts.Take(names.Count);
        var ports = names.Select((name, i) => (name, port: taken[i])).ToDictionary(p => p.name, p => p.port);
        var config = $"""
            listen: "127.0.0.1:{ports["CLIENT"]}"
            http: "127.0.0.1:{ports["HTTP"]}"
            {PortPlaceholder().Replace(body, m => ports[m.Groups[1].Value].ToString(System.Globalization.CultureInfo.InvariantCulture))}
            """;
        var server = await StartAsync(config, ports["CLIENT"]).ConfigureAwait(false);
        server._ports = ports;
        return server;
    }

    [GeneratedRegex(@"\{([A-Z]+)_PORT\}")]
    private static partial Regex PortPlaceholder();

    /// <summary>The free port <c>{<paramref name="name"/>_PORT}</c> stood for in <see cref="StartWithPortsAsync"/>'s config.</summary>
    public int PortOf(string name) => _ports.TryGetValue(name, out var port) ? port : throw new InvalidOperationException($"no {{{name}_PORT}} in the config");

    /// <summary>The monitoring port (<see cref="StartWithPortsAsync"/>).</summary>
    public int HttpPort => PortOf("HTTP");

    /// <summary>A monitoring endpoint's JSON (<paramref name="pathAndQuery"/>: <c>/leafz?subs=1</c>), from <see cref="HttpPort"/>.</summary>
    public async Task<JsonElement> MonitorAsync(string pathAndQuery)
    {
        var body = await Http.GetStringAsync(new Uri($"http://127.0.0.1:{HttpPort}{pathAndQuery}")).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>A raw client connected to <see cref="Port"/> that sent <paramref name="connect"/> and PING, and got PONG.</summary>
    public Task<RawClient> ClientAsync(string connect = RawClient.QuietConnect) => RawClient.ConnectAndHandshakeAsync(Port, connect);

    /// <summary>The path of the nats-server binary, or null when not installed.</summary>
    public static string? FindBinary()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var path = Path.Combine(dir, "nats-server");
            if (dir.Length > 0 && File.Exists(path))
            {
                return path;
            }
        }
        return null;
    }

    /// <summary>
    /// Starts nats-server with <paramref name="config"/> and waits (bounded) until
    /// <paramref name="waitForPort"/> accepts connections.
    /// </summary>
    public static Task<ReferenceServer> StartAsync(string config, int waitForPort)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException("nats-server is not installed (./test.sh installs it)");
        return StartAsync(new ProcessStartInfo(binary), config, waitForPort);
    }

    /// <summary>
    /// Starts this repository's built host (<c>dotnet host/bin/&lt;configuration&gt;/net10.0/nats-server.dll</c>,
    /// with the plugins the build deployed next to it) with <paramref name="config"/>, and waits
    /// (bounded) until <paramref name="waitForPort"/> accepts connections. What it logs is kept in
    /// <see cref="Output"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The host is not built (<c>./test.sh</c> builds it).</exception>
    public static Task<ReferenceServer> StartHostAsync(string config, int waitForPort) =>
        StartAsync(HostStartInfo(), config, waitForPort);

    /// <summary>
    /// Starts the built host like <see cref="StartHostAsync(string, int)"/> with a config whose
    /// client <c>port</c> is <c>-1</c>, and learns the port the host bound from its
    /// <c>Listening for client connections on</c> line (<see cref="Port"/>): no port is picked
    /// beforehand, so none can be taken by another process in between. Waits at most
    /// <paramref name="timeout"/> (60 s by default: a cold start on a loaded machine is slow).
    /// </summary>
    public static async Task<ReferenceServer> StartHostAsync(string config, TimeSpan? timeout = null)
    {
        var bound = timeout ?? TimeSpan.FromSeconds(60);
        var server = await StartAsync(HostStartInfo(), config, waitForPort: null, bound).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + bound;
        while (server.ListeningPort() is not { } port)
        {
            if (server._process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = server.Output;
                await server.DisposeAsync().ConfigureAwait(false);
                throw new TimeoutException($"the host logged no client port within {bound}: {output}");
            }
            await Task.Delay(20).ConfigureAwait(false);
        }
        return server;
    }

    /// <summary>
    /// The client port: the one <see cref="StartWithPortsAsync"/> chose, or the one the server
    /// logged it listens on, once it did (<see cref="StartHostAsync(string, TimeSpan?)"/>).
    /// </summary>
    public int Port => _ports.TryGetValue("CLIENT", out var port) ? port : ListeningPort() ?? throw new InvalidOperationException("the server has not logged its client port");

    private int? ListeningPort()
    {
        const string marker = "Listening for client connections on ";
        var output = Output;
        var at = output.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }
        var end = output.IndexOfAny(['\r', '\n'], at);
        var address = output[(at + marker.Length)..(end < 0 ? output.Length : end)].Trim();
        return end > 0 && int.TryParse(address[(address.LastIndexOf(':') + 1)..], out var port) ? port : null;
    }

    private static ProcessStartInfo HostStartInfo()
    {
        var dll = Repository.HostDll;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The host is not built.", dll);
        }
        return new ProcessStartInfo("dotnet") { ArgumentList = { dll } };
    }

    /// <summary>Everything the server wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    // Waits until waitForPort accepts connections, or (null) only until the process runs.
    private static async Task<ReferenceServer> StartAsync(ProcessStartInfo psi, string config, int? waitForPort, TimeSpan? timeout = null)
    {
        var directory = Directory.CreateTempSubdirectory("refsrv").FullName;
        var configPath = Path.Combine(directory, "server.conf");
        await File.WriteAllTextAsync(configPath, config);
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(configPath);
        psi.RedirectStandardError = true;
        psi.RedirectStandardOutput = true;
        psi.UseShellExecute = false;
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"{psi.FileName} did not start");
        var output = new System.Text.StringBuilder();
        void Keep(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ReferenceServer(process, directory, output);
        var bound = timeout ?? TimeSpan.FromSeconds(20);
        var deadline = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"{psi.FileName} exited with {process.ExitCode}: {server.Output}");
            }
            if (waitForPort is null)
            {
                return server;
            }
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, waitForPort.Value));
                return server;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        await server.DisposeAsync();
        throw new TimeoutException($"{psi.FileName} did not listen on {waitForPort} within {bound}: {server.Output}");
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _process.WaitForExitAsync(cts.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
