namespace Nats.Core.Plugins;

/// <summary>
/// A plugin could not be loaded, composed, configured or started. The message names the
/// plugin first (<c>plugin "htpasswd": …</c>) so that the operator sees at once which one
/// stopped the server and why.
/// </summary>
public sealed class PluginException : Exception
{
    /// <summary>Reports that <paramref name="pluginName"/> failed because of <paramref name="reason"/>.</summary>
    public PluginException(string pluginName, string reason, Exception? innerException = null)
        : base($"plugin \"{pluginName}\": {reason}", innerException)
    {
        PluginName = pluginName;
        Reason = reason;
    }

    /// <summary>The plugin's name (its <see cref="ServerPluginAttribute.Name"/>, or its folder's name when it never got that far).</summary>
    public string PluginName { get; }

    /// <summary>What went wrong, without the plugin's name.</summary>
    public string Reason { get; }
}
