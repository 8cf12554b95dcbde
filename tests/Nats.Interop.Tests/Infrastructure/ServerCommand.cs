namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Command templates used to launch servers, in the same form as shared/bench:
/// a single command line run as <c>bash -c "exec TEMPLATE"</c> with placeholders
/// <c>{conf}</c> (generated config file), <c>{port}</c> (client port) and <c>{dir}</c>
/// (the server's own scratch directory).
/// </summary>
public static class ServerCommand
{
    public const string ServerEnvVar = "NATS_SERVER_CMD";
    public const string ReferenceEnvVar = "NATS_REFERENCE_CMD";
    public const string DefaultReference = "nats-server -c {conf}";

    /// <summary>The server under test: NATS_SERVER_CMD, else our host's build output.</summary>
    public static string UnderTest => FromEnv(ServerEnvVar) ?? DefaultHostTemplate();

    /// <summary>The reference server, used where a test needs a known-good peer.</summary>
    public static string Reference => FromEnv(ReferenceEnvVar) ?? DefaultReference;

    public static string Expand(string template, string confPath, int port, string dir) =>
        template
            .Replace("{conf}", ShellQuote(confPath))
            .Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{dir}", ShellQuote(dir));

    private static string? FromEnv(string name)
    {
        var value = Environment.GetEnvironmentVariable(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>
    /// <c>dotnet host/bin/{Release|Debug}/net10.0/nats-server.dll -c {conf}</c>. Release wins when
    /// both exist because it is what benchmarks and CI builds produce; a missing build is
    /// reported up front instead of as an opaque "server did not answer" timeout.
    /// </summary>
    private static string DefaultHostTemplate()
    {
        foreach (var configuration in new[] { "Release", "Debug" })
        {
            var dll = Path.Combine(RepoPaths.RepoRoot, "host", "bin", configuration, "net10.0", "nats-server.dll");
            if (File.Exists(dll))
                return $"dotnet {ShellQuote(dll)} -c {{conf}}";
        }
        throw new InvalidOperationException(
            $"{ServerEnvVar} is not set and no host build was found under {Path.Combine(RepoPaths.RepoRoot, "host", "bin")}. " +
            $"Build it (dotnet build host -c Release) or set {ServerEnvVar}, e.g. '{DefaultReference}'.");
    }

    private static string ShellQuote(string s) => "'" + s.Replace("'", "'\\''") + "'";
}
