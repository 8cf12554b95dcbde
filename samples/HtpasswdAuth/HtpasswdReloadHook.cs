using Nats.Core.Plugins;

namespace HtpasswdAuth;

/// <summary>
/// Takes part in reloads: a changed users or access file applies live (and clients whose
/// user was removed, or whose password changed, are disconnected); adding or removing the
/// section, or changing the status subject, needs a restart.
/// </summary>
internal sealed class HtpasswdReloadHook(HtpasswdPlugin plugin) : IReloadHook<HtpasswdOptions>
{
    public void Validate(HtpasswdOptions current, HtpasswdOptions proposed, ReloadValidation validation)
    {
        if (current.Enabled != proposed.Enabled)
        {
            // The authenticator is registered before the server starts, or not at all.
            validation.NotReloadable(HtpasswdOptions.SectionName, current.File, proposed.File);
            return;
        }
        if (current.StatusSubject != proposed.StatusSubject)
        {
            validation.NotReloadable($"{HtpasswdOptions.SectionName}.status_subject", current.StatusSubject, proposed.StatusSubject);
            return;
        }
        validation.Changed(HtpasswdOptions.SectionName);
    }

    public void Apply(HtpasswdOptions current, HtpasswdOptions proposed) => plugin.Apply(proposed);
}
