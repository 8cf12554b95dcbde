using Nats.Core.Config;

namespace Nats.Core.Plugins;

/// <summary>
/// The central configuration bus. Every part of the server — kernel and plugins alike —
/// binds its section of the configuration here and registers a reload hook. A reload
/// (SIGHUP, <c>--signal reload</c>) re-reads the files, parses every section, asks every hook
/// to validate, and only if none objects applies them all; otherwise nothing changes and
/// the error names the option and why.
/// </summary>
public interface IConfigBus
{
    /// <summary>
    /// Binds the top-level section <paramref name="name"/> (for example <c>mqtt</c>).
    /// <paramref name="parse"/> turns the section (null when absent) into the plugin's options;
    /// it runs now and on every reload, and may throw <see cref="ConfigException"/> to reject
    /// a bad value. Without a <paramref name="hook"/> the section cannot change while running.
    /// </summary>
    IConfigSection<T> Bind<T>(string name, Func<ConfValue?, T> parse, IReloadHook<T>? hook = null)
        where T : class;
}

/// <summary>A bound section: its options as currently in force.</summary>
public interface IConfigSection<out T>
    where T : class
{
    /// <summary>The section name.</summary>
    string Name { get; }

    /// <summary>The options in force (replaced as a whole when a reload applies).</summary>
    T Current { get; }
}

/// <summary>How a section takes part in a reload: first every hook validates, then every hook applies.</summary>
public interface IReloadHook<in T>
    where T : class
{
    /// <summary>
    /// Checks whether <paramref name="proposed"/> can replace <paramref name="current"/> live.
    /// Report problems on <paramref name="validation"/>; do not change anything here.
    /// </summary>
    void Validate(T current, T proposed, ReloadValidation validation);

    /// <summary>Makes <paramref name="proposed"/> take effect. Called only when every hook validated.</summary>
    void Apply(T current, T proposed);
}

/// <summary>Collects a reload's objections and the options it changes.</summary>
public sealed class ReloadValidation
{
    private readonly List<string> _errors = [];
    private readonly List<string> _changes = [];

    /// <summary>The objections; any one rejects the whole reload.</summary>
    public IReadOnlyList<string> Errors => _errors;

    /// <summary>The options that will change.</summary>
    public IReadOnlyList<string> Changes => _changes;

    /// <summary>Objects to the reload: <paramref name="option"/> cannot take the new value.</summary>
    public void Reject(string option, string reason) => _errors.Add($"{option}: {reason}");

    /// <summary>Objects because <paramref name="option"/> cannot change while the server runs.</summary>
    public void NotReloadable(string option, object? current, object? proposed) =>
        _errors.Add($"config reload not supported for {option}: old={Format(current)}, new={Format(proposed)}");

    /// <summary>Records that <paramref name="option"/> changes (for the reload's log line).</summary>
    public void Changed(string option) => _changes.Add(option);

    private static string Format(object? value) => value switch
    {
        null => "<none>",
        System.Collections.IEnumerable list and not string => "[" + string.Join(", ", list.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>The outcome of a reload.</summary>
/// <param name="Success">True when everything applied.</param>
/// <param name="Errors">Why it was rejected (nothing changed then).</param>
/// <param name="Changes">What changed.</param>
public sealed record ReloadResult(bool Success, IReadOnlyList<string> Errors, IReadOnlyList<string> Changes);
