namespace Nats.Core.Config;

/// <summary>A configuration that cannot be used, with a message naming the option and why.</summary>
public class ConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConfigurationException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
