using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Nats.Core.Monitoring;

/// <summary>
/// Where <see cref="MonitoringJson"/>'s options find a type's JSON metadata: the kernel's
/// source-generated context, then the contexts plugins added
/// (<see cref="MonitoringServer.AddJsonTypes"/>), then reflection for anything else when the
/// runtime allows it (a third party's DTO in the JIT build).
/// </summary>
/// <remarks>
/// Process-wide, as <see cref="MonitoringJson"/>'s options are: a context only describes types,
/// so one added by any server serves every server. Readers take a snapshot of the array;
/// adding copies it under the lock.
/// </remarks>
internal sealed class MonitoringTypeResolver : IJsonTypeInfoResolver
{
    public static MonitoringTypeResolver Instance { get; } = new();

    private static readonly IJsonTypeInfoResolver? Reflection =
        JsonSerializer.IsReflectionEnabledByDefault ? new DefaultJsonTypeInfoResolver() : null;

    private readonly Lock _lock = new();
    private IJsonTypeInfoResolver[] _resolvers = [KernelMonitoringJsonContext.Default];

    public void Add(IJsonTypeInfoResolver resolver)
    {
        lock (_lock)
        {
            if (Array.IndexOf(_resolvers, resolver) < 0)
            {
                Volatile.Write(ref _resolvers, [.. _resolvers, resolver]);
            }
        }
    }

    public JsonTypeInfo? GetTypeInfo(Type type, JsonSerializerOptions options)
    {
        foreach (var resolver in Volatile.Read(ref _resolvers))
        {
            if (resolver.GetTypeInfo(type, options) is { } info)
            {
                return info;
            }
        }
        return Reflection?.GetTypeInfo(type, options);
    }
}
