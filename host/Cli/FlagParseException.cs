namespace Nats.Host.Cli;

/// <summary>A command line Go's <c>flag</c> package would reject; the message is the one it prints.</summary>
internal sealed class FlagParseException(string message) : Exception(message);
