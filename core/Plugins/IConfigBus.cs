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

    /// <summary>
    /// Binds the key <paramref name="key"/> of every account block
    /// (<c>accounts { A { jetstream: enabled } }</c>): <paramref name="parse"/> turns each
    /// account's value into the plugin's settings, now and on every reload, and may throw
    /// <see cref="ConfigException"/> (the reload is then rejected, naming
    /// <c>accounts.*.key</c>). The section's <see cref="IConfigSection{T}.Current"/> holds the
    /// settings of the accounts that have the key. Without a <paramref name="hook"/> the
    /// settings cannot change while the server runs. Use records for <typeparamref name="T"/>:
    /// a reload that leaves every account's value equal is no change.
    /// </summary>
    IConfigSection<AccountSettings<T>> BindAccountKey<T>(string key, Func<ConfValue, T> parse, IReloadHook<AccountSettings<T>>? hook = null)
        where T : class;
}

/// <summary>
/// One plugin-owned key of the account blocks, parsed for every account that has it (see
/// <see cref="IConfigBus.BindAccountKey"/>). Immutable: a reload replaces it whole.
/// </summary>
/// <typeparam name="T">The plugin's settings type.</typeparam>
public sealed class AccountSettings<T> : IEquatable<AccountSettings<T>>
    where T : class
{
    private AccountSettings(string key, IReadOnlyDictionary<string, T> byAccount)
    {
        Key = key;
        ByAccount = byAccount;
    }

    /// <summary>The key (for example <c>jetstream</c>).</summary>
    public string Key { get; }

    /// <summary>The settings by account name, for the accounts whose block has the key.</summary>
    public IReadOnlyDictionary<string, T> ByAccount { get; }

    /// <summary>The settings of <paramref name="account"/>; null when its block lacks the key.</summary>
    public T? For(string account) => ByAccount.GetValueOrDefault(account);

    /// <summary>Parses <paramref name="key"/> of every account in <paramref name="accounts"/>.</summary>
    internal static AccountSettings<T> Read(string key, IReadOnlyList<AccountConfig> accounts, Func<ConfValue, T> parse)
    {
        var byAccount = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var account in accounts)
        {
            var entry = account.PluginKeys.LastOrDefault(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase));
            if (entry is null)
            {
                continue;
            }
            // A ConfigException from parse carries the value's file position.
            byAccount[account.Name] = parse(entry.Value);
        }
        return new AccountSettings<T>(key, byAccount);
    }

    /// <inheritdoc />
    public bool Equals(AccountSettings<T>? other) =>
        other is not null && Key == other.Key && ByAccount.Count == other.ByAccount.Count &&
        ByAccount.All(p => other.ByAccount.TryGetValue(p.Key, out var value) && EqualityComparer<T>.Default.Equals(p.Value, value));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as AccountSettings<T>);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Key, ByAccount.Count);
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
