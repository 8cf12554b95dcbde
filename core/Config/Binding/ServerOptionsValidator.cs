namespace Nats.Core.Config.Binding;

/// <summary>
/// The checks nats-server makes on the final options, after the config file and the flags
/// (its <c>validateOptions</c>), with its messages. A host runs them before starting a server
/// and before applying a reload.
/// </summary>
public static class ServerOptionsValidator
{
    /// <summary>Throws a <see cref="ConfigurationException"/> naming the first problem.</summary>
    public static void Validate(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (FindProblem(options) is { } problem)
        {
            throw new ConfigurationException(problem);
        }
    }

    /// <summary>The first problem, or null when the options can be used.</summary>
    public static string? FindProblem(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.LameDuckDuration > TimeSpan.Zero && options.LameDuckGracePeriod >= options.LameDuckDuration)
        {
            return $"lame duck grace period ({GoText.Duration(options.LameDuckGracePeriod)}) should be strictly lower than lame duck duration ({GoText.Duration(options.LameDuckDuration)})";
        }
        if (options.MaxPayload > options.MaxPending)
        {
            return $"max_payload ({options.MaxPayload}) cannot be higher than max_pending ({options.MaxPending})";
        }
        if (options.MaxPayload < 0)
        {
            return "max_payload value can not be negative";
        }
        if (options.ServerName is { } name && name.Contains(' '))
        {
            return "server name cannot contain spaces";
        }
        if (options.Cluster.Name is { } cluster && cluster.Contains(' '))
        {
            return "cluster name cannot contain spaces";
        }
        return options.Auth.NoAuthUserProblem(options.Auth.NoAuthUser);
    }
}
