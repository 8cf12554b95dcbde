using Nats.Core.Plugins;

namespace Nats.Core.Config;

/// <summary>A reload hook made of two functions, for sections whose logic lives with their owner.</summary>
/// <typeparam name="T">The section's options.</typeparam>
public sealed class DelegateReloadHook<T>(Action<T, T, ReloadValidation> validate, Action<T, T> apply) : IReloadHook<T>
    where T : class
{
    /// <inheritdoc />
    public void Validate(T current, T proposed, ReloadValidation validation) => validate(current, proposed, validation);

    /// <inheritdoc />
    public void Apply(T current, T proposed) => apply(current, proposed);
}
