namespace Nats.Core.Tests.Tls;

/// <summary>What the TLS tests share beyond Nats.TestSupport: paths quoted for config text.</summary>
internal static class TlsTestSupport
{
    /// <summary>A conf string literal for a path (backslashes and quotes escaped).</summary>
    public static string Q(string path) => "\"" + path.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
