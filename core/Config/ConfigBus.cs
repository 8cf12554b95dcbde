using Nats.Core.Plugins;

namespace Nats.Core.Config;

/// <summary>
/// The server's <see cref="IConfigBus"/>: section bindings of the kernel and of plugins, and the
/// two-phase reload over all of them (parse and validate everything, then apply everything).
/// </summary>
internal sealed class ConfigBus : IConfigBus
{
    private readonly List<IBinding> _bindings = [];
    private ConfigInput _input;

    public ConfigBus(IReadOnlyDictionary<string, object?> sections, IReadOnlyList<AccountConfig> accounts)
    {
        _input = new ConfigInput(sections, accounts);
    }

    /// <summary>Names of the bound sections (to tell the operator about unclaimed ones).</summary>
    public IReadOnlyList<string> BoundNames
    {
        get
        {
            lock (_bindings)
            {
                return [.. _bindings.Select(b => b.Name)];
            }
        }
    }

    public IConfigSection<T> Bind<T>(string name, Func<ConfValue?, T> parse, IReloadHook<T>? hook = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(parse);
        return Add(name, input => parse(Lookup(input.Sections, name)), hook);
    }

    public IConfigSection<AccountSettings<T>> BindAccountKey<T>(string key, Func<ConfValue, T> parse, IReloadHook<AccountSettings<T>>? hook = null)
        where T : class
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(parse);
        return Add(AccountKeyBindingName(key), input => AccountSettings<T>.Read(key, input.Accounts, parse), hook);
    }

    /// <summary>The name an account-key binding goes by (in reload errors and for <see cref="Unbind"/>).</summary>
    public static string AccountKeyBindingName(string key) => $"accounts.*.{key}";

    private Binding<T> Add<T>(string name, Func<ConfigInput, T> read, IReloadHook<T>? hook)
        where T : class
    {
        var binding = new Binding<T>(name, read, hook, read(_input));
        lock (_bindings)
        {
            if (_bindings.Exists(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"config section \"{name}\" is already bound");
            }
            _bindings.Add(binding);
        }
        return binding;
    }

    /// <summary>
    /// Removes the binding of <paramref name="name"/>: a plugin whose Configure failed is
    /// skipped as if it had never bound its sections (they are reported as unclaimed again
    /// and take no part in reloads).
    /// </summary>
    public void Unbind(string name)
    {
        lock (_bindings)
        {
            _bindings.RemoveAll(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>
    /// Parses every bound section from <paramref name="sections"/> and asks its hook to
    /// validate. Returns the prepared changes, or the errors when any section objects.
    /// </summary>
    public PreparedReload Prepare(IReadOnlyDictionary<string, object?> sections, IReadOnlyList<AccountConfig> accounts, ReloadValidation validation)
    {
        var input = new ConfigInput(sections, accounts);
        IBinding[] bindings;
        lock (_bindings)
        {
            bindings = [.. _bindings];
        }
        var prepared = new List<Action>();
        foreach (var binding in bindings)
        {
            try
            {
                if (binding.Prepare(input, validation) is { } apply)
                {
                    prepared.Add(apply);
                }
            }
            catch (ConfigException ex)
            {
                validation.Reject(binding.Name, ex.Message);
            }
        }
        return new PreparedReload(prepared, () => _input = input);
    }

    private static ConfValue? Lookup(IReadOnlyDictionary<string, object?> sections, string name) =>
        sections.TryGetValue(name, out var value) ? value as ConfValue : null;

    /// <summary>Changes ready to apply, in binding order.</summary>
    public sealed class PreparedReload(IReadOnlyList<Action> apply, Action commit)
    {
        public void Apply()
        {
            foreach (var action in apply)
            {
                action();
            }
            commit();
        }
    }

    /// <summary>What bindings read: the plugin sections and the account blocks.</summary>
    private sealed record ConfigInput(IReadOnlyDictionary<string, object?> Sections, IReadOnlyList<AccountConfig> Accounts);

    private interface IBinding
    {
        string Name { get; }

        /// <summary>Parses and validates; returns how to apply, or null when nothing changes.</summary>
        Action? Prepare(ConfigInput input, ReloadValidation validation);
    }

    private sealed class Binding<T>(string name, Func<ConfigInput, T> read, IReloadHook<T>? hook, T initial) : IBinding, IConfigSection<T>
        where T : class
    {
        private volatile T _current = initial;

        public string Name => name;

        public T Current => _current;

        public Action? Prepare(ConfigInput input, ReloadValidation validation)
        {
            var proposed = read(input);
            var current = _current;
            // Records compare by value: an unchanged section is no change at all.
            if (EqualityComparer<T>.Default.Equals(current, proposed))
            {
                return null;
            }
            if (hook is null)
            {
                validation.Reject(name, "config reload not supported for this section: it cannot change while the server runs");
                return null;
            }
            var errorsBefore = validation.Errors.Count;
            hook.Validate(current, proposed, validation);
            if (validation.Errors.Count > errorsBefore)
            {
                return null;
            }
            return () =>
            {
                hook.Apply(current, proposed);
                _current = proposed;
            };
        }
    }
}
