using Nats.Core.Subjects;

namespace Nats.Core.Config.Binding;

/// <summary>
/// <c>permissions { publish, subscribe, allow_responses }</c> as nats-server's
/// <c>parseUserPermissions</c> reads it: publish/subscribe are a subject, a list, or
/// <c>{ allow, deny }</c>; <c>allow_responses</c> is <c>true</c> or <c>{ max, expires }</c>.
/// </summary>
internal static class PermissionsBinder
{
    public static PermissionsConfig? Bind(ConfEntry entry, BindContext ctx)
    {
        if (entry.Value is not ConfMap map)
        {
            ctx.Error(entry, $"Expected permissions to be a map/struct, got {GoText.Value(entry.Value)}");
            return null;
        }
        var permissions = new PermissionsConfig();
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                // "import"/"export" are the route spellings of publish/subscribe.
                case "pub" or "publish" or "import":
                    permissions.Publish = BindSubjects(item, ctx, allowQueue: false);
                    break;
                case "sub" or "subscribe" or "export":
                    permissions.Subscribe = BindSubjects(item, ctx, allowQueue: true);
                    break;
                case "publish_allow_responses" or "allow_responses":
                    permissions.Responses = BindResponses(item, ctx);
                    if (permissions.Responses is not null)
                    {
                        // As in nats-server: allowing responses turns off the blanket publish allow.
                        permissions.Publish ??= new SubjectPermissionConfig();
                        permissions.Publish.Allow ??= [];
                    }
                    break;
                default:
                    if (!item.Value.IsUsedAsVariable)
                    {
                        ctx.Error(item, $"Unknown field \"{item.Key}\" parsing permissions");
                    }
                    break;
            }
        }
        return permissions;
    }

    private static SubjectPermissionConfig? BindSubjects(ConfEntry entry, BindContext ctx, bool allowQueue)
    {
        if (entry.Value is not ConfMap map)
        {
            // Old style: the subjects are the allow list.
            return Subjects(entry.KeyPosition, entry.Value, ctx, allowQueue) is { } allow
                ? new SubjectPermissionConfig { Allow = allow }
                : null;
        }
        if (map.Count == 0)
        {
            return null;
        }
        var permission = new SubjectPermissionConfig();
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "allow":
                    permission.Allow = Subjects(item.KeyPosition, item.Value, ctx, allowQueue) ?? permission.Allow;
                    break;
                case "deny":
                    permission.Deny = Subjects(item.KeyPosition, item.Value, ctx, allowQueue) ?? permission.Deny;
                    break;
                default:
                    if (!item.Value.IsUsedAsVariable)
                    {
                        ctx.Error(item, $"Unknown field name \"{item.Key}\" parsing subject permissions, only 'allow' or 'deny' are permitted");
                    }
                    break;
            }
        }
        return permission;
    }

    private static List<string>? Subjects(ConfPosition position, ConfValue value, BindContext ctx, bool allowQueue)
    {
        List<string> subjects;
        switch (value)
        {
            case ConfString s:
                subjects = [s.Value];
                break;
            case ConfList list:
                subjects = [];
                foreach (var item in list)
                {
                    if (item is not ConfString subject)
                    {
                        ctx.Error(item.Position, "Subject in permissions array cannot be cast to string");
                        return null;
                    }
                    subjects.Add(subject.Value);
                }
                break;
            default:
                ctx.Error(position, $"Expected subject permissions to be a subject, or array of subjects, got {GoText.TypeName(value)}");
                return null;
        }
        if (CheckSubjects(subjects, allowQueue) is { } error)
        {
            ctx.Error(position, error);
            return null;
        }
        return subjects;
    }

    /// <summary>nats-server's <c>checkPermSubjectArray</c>: subscribe entries may be <c>"subject queue"</c>.</summary>
    internal static string? CheckSubjects(IEnumerable<string> subjects, bool allowQueue)
    {
        foreach (var subject in subjects)
        {
            if (SubjectValidator.IsValidSubject(subject))
            {
                continue;
            }
            if (!allowQueue)
            {
                return $"subject \"{subject}\" is not a valid subject";
            }
            var parts = subject.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
            {
                return $"subject \"{subject}\" is not a valid subject";
            }
            if (!SubjectValidator.IsValidSubject(parts[0]))
            {
                return $"subject \"{parts[0]}\" is not a valid subject";
            }
            if (!SubjectValidator.IsValidSubject(parts[1]))
            {
                return $"queue \"{parts[1]}\" is not a valid queue";
            }
        }
        return null;
    }

    private static ResponsePermissionConfig? BindResponses(ConfEntry entry, BindContext ctx)
    {
        if (entry.Value is ConfBool flag)
        {
            return flag.Value ? new ResponsePermissionConfig() : null;
        }
        if (entry.Value is not ConfMap map)
        {
            ctx.Error(entry, "error parsing response permissions, expected a boolean or a map");
            return null;
        }
        var responses = new ResponsePermissionConfig();
        foreach (var item in map)
        {
            switch (item.Key.ToLowerInvariant())
            {
                case "max" or "max_msgs" or "max_messages" or "max_responses":
                    // Negative means unlimited; 0 keeps the default, as in nats-server.
                    if (ctx.TryInt(item, out var max) && max != 0)
                    {
                        responses.MaxMessages = max;
                    }
                    break;
                case "expires" or "expiration" or "ttl":
                    if (item.Value is not ConfString text)
                    {
                        ctx.Error(item, "error parsing expires, not a duration string");
                        return null;
                    }
                    if (!GoDuration.TryParseNanoseconds(text.Value, out var nanoseconds, out var error))
                    {
                        ctx.Error(item, $"error parsing expires: {error}");
                        return null;
                    }
                    if (nanoseconds != 0)
                    {
                        responses.Expires = GoDuration.ToTimeSpan(nanoseconds);
                    }
                    break;
                default:
                    if (!item.Value.IsUsedAsVariable)
                    {
                        ctx.Error(item, $"Unknown field \"{item.Key}\" parsing permissions");
                    }
                    break;
            }
        }
        return responses;
    }
}
