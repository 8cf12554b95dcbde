namespace Nats.Host.Cli;

/// <summary>Flags that parse but can't be applied (a bad cluster URL, routes without a cluster…).</summary>
internal sealed class CommandLineException(string message) : Exception(message);
