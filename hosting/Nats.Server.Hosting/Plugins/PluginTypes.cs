using System.Composition;
using System.Reflection;
using Nats.Core.Plugins;

namespace Nats.Server.Hosting.Plugins;

/// <summary>
/// The plugins an assembly exports, and whether it needs System.Composition to create them.
/// </summary>
/// <remarks>
/// Most plugins are one class with <c>[ServerPlugin]</c> and a public parameterless constructor,
/// and nothing else in their assembly takes part in composition: such a plugin is created
/// directly. Composing it would give the same object, but a System.Composition container
/// compiles its activators (expression trees, Reflection.Emit), some 30 ms of a server's start
/// before its client port opens. An assembly that uses composition in any other way (other
/// exports, an importing constructor, imported properties, an inherited export) is composed as
/// before, with the same checks and errors.
/// </remarks>
internal sealed class PluginTypes
{
    private PluginTypes(IReadOnlySet<string> names, IReadOnlyList<(Type, ServerPluginAttribute)>? plain)
    {
        Names = names;
        Plain = plain;
    }

    /// <summary>The names of the plugins exported (by <c>[ServerPlugin]</c>, declared or inherited).</summary>
    public IReadOnlySet<string> Names { get; }

    /// <summary>The plugin classes to create directly, or null when the assembly must be composed.</summary>
    public IReadOnlyList<(Type Type, ServerPluginAttribute Export)>? Plain { get; }

    /// <summary>The one plain plugin a manifest names (<c>type</c>), its assembly left unwalked.</summary>
    public static PluginTypes Declared(Type type, ServerPluginAttribute export) =>
        new(new HashSet<string>(StringComparer.OrdinalIgnoreCase) { export.Name }, [(type, export)]);

    /// <summary>Reads <paramref name="assembly"/>, whose types are known to load.</summary>
    public static PluginTypes Of(Assembly assembly)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var plain = new List<(Type, ServerPluginAttribute)>();
        var composed = false;
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetCustomAttribute<ServerPluginAttribute>() is { } export)
            {
                names.Add(export.Name);
                if (IsPlain(type))
                {
                    plain.Add((type, export));
                    continue;
                }
                composed = true;
            }
            else if (type.IsDefined(typeof(ExportAttribute), inherit: true))
            {
                composed = true; // another part: composition wires it, and checks it
            }
        }
        return new PluginTypes(names, composed ? null : plain);
    }

    // One export, declared on the class itself, created by its public parameterless constructor
    // with nothing to import: what a container would do with it is `new T()`.
    internal static bool IsPlain(Type type)
    {
        if (!type.IsClass || type.IsAbstract || type.IsGenericTypeDefinition || !typeof(IServerPlugin).IsAssignableFrom(type)
            || type.GetCustomAttributes<ExportAttribute>(inherit: false).Count() != 1
            || type.GetCustomAttribute<ServerPluginAttribute>(inherit: false) is null
            || type.GetConstructor(Type.EmptyTypes) is not { IsPublic: true })
        {
            return false;
        }
        const BindingFlags Members = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        return !type.GetConstructors(Members).Any(c => c.IsDefined(typeof(ImportingConstructorAttribute)))
            && !type.GetProperties(Members).Any(p => p.IsDefined(typeof(ImportAttribute)) || p.IsDefined(typeof(ImportManyAttribute)) || p.IsDefined(typeof(ExportAttribute)))
            && !type.GetMethods(Members).Any(m => m.IsDefined(typeof(OnImportsSatisfiedAttribute)));
    }
}
