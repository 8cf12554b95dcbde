using System.Reflection;
using Nats.Core;
using Nats.Core.Config;

namespace Nats.Host.Hosting;

/// <summary>
/// The kernel's live reload entry point, <c>NatsServer.ReloadAsync(ServerOptions)</c>, which is
/// being built in core alongside this host. It is looked up by name so that the host starts
/// using it the moment it exists, without a host change; once it has landed, replace this
/// class with a direct call.
/// </summary>
internal static class KernelReload
{
    private static readonly MethodInfo? Method =
        typeof(NatsServer).GetMethod("ReloadAsync", BindingFlags.Public | BindingFlags.Instance, [typeof(ServerOptions)]) is { } m
        && typeof(Task).IsAssignableFrom(m.ReturnType)
            ? m
            : null;

    /// <summary>Whether this kernel can apply new options to a running server.</summary>
    public static bool IsAvailable => Method is not null;

    /// <summary>Hands the new options to the kernel; its exceptions (a rejected change) come through unwrapped.</summary>
    public static async Task ApplyAsync(NatsServer server, ServerOptions options)
    {
        if (Method is null)
        {
            throw new InvalidOperationException("This kernel has no NatsServer.ReloadAsync.");
        }
        Task task;
        try
        {
            task = (Task)Method.Invoke(server, [options])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw; // unreachable
        }
        await task.ConfigureAwait(false);
    }
}
