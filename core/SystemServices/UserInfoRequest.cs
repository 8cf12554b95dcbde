using System.Text.Json.Serialization;
using Nats.Core.Config;

namespace Nats.Core.SystemServices;

/// <summary>
/// nats-server 2.10's <c>$SYS.REQ.USER.INFO</c> (events.go <c>userInfoReq</c>): a client of any
/// account asks who it is, and the server it is connected to answers with its user, account,
/// permissions and the time left until its authorization expires. The request reaches the
/// kernel through the account's system import (<see cref="SystemImports"/>), which names the
/// requester; nothing is asked of other servers.
/// </summary>
internal static class UserInfoRequest
{
    public static void Register(SystemServiceHost services) =>
        services.AddImportedRequest(["$SYS.REQ.USER.*.INFO"], SystemServiceHost.AccountToken, request => new(Answer(request.Requester)));

    /// <summary>
    /// As nats-server: without shared client info the user and account are empty; the
    /// permissions are the ones in force (none: left out), the expiry in whole seconds.
    /// </summary>
    private static UserInfo Answer(SystemRequester? requester)
    {
        long? expires = null;
        if (requester?.Expires is { } at)
        {
            // Go's time.Until(expires).Truncate(time.Second), omitted when zero.
            var left = (at - DateTimeOffset.UtcNow).Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
            expires = left == 0 ? null : left * 100;
        }
        return new UserInfo
        {
            User = requester?.User ?? "",
            Account = requester?.Account ?? "",
            Permissions = requester?.Permissions is { } permissions ? new PublicPermissions(permissions) : null,
            Expires = expires,
        };
    }
}

/// <summary>nats-server's <c>UserInfo</c>.</summary>
internal sealed class UserInfo
{
    [JsonPropertyName("user")] public string User { get; init; } = "";

    [JsonPropertyName("account")] public string Account { get; init; } = "";

    [JsonPropertyName("permissions")] public PublicPermissions? Permissions { get; init; }

    /// <summary>A Go duration: nanoseconds.</summary>
    [JsonPropertyName("expires")] public long? Expires { get; init; }
}

/// <summary>
/// nats-server's <c>Permissions</c> as <c>publicPermissions</c> fills it: publish and subscribe
/// always there (empty when unrestricted), responses when granted.
/// </summary>
internal sealed class PublicPermissions(PermissionsConfig permissions)
{
    [JsonPropertyName("publish")] public PublicSubjectPermission Publish { get; } = new(permissions.Publish);

    [JsonPropertyName("subscribe")] public PublicSubjectPermission Subscribe { get; } = new(permissions.Subscribe);

    [JsonPropertyName("responses")] public PublicResponsePermission? Responses { get; } = permissions.Responses is { } r ? new(r) : null;
}

/// <summary>nats-server's <c>SubjectPermission</c>: empty lists left out.</summary>
internal sealed class PublicSubjectPermission(SubjectPermissionConfig? permission)
{
    [JsonPropertyName("allow")] public IReadOnlyList<string>? Allow { get; } = permission?.Allow is { Count: > 0 } allow ? allow : null;

    [JsonPropertyName("deny")] public IReadOnlyList<string>? Deny { get; } = permission?.Deny is { Count: > 0 } deny ? deny : null;
}

/// <summary>nats-server's <c>ResponsePermission</c>: <c>ttl</c> a Go duration (nanoseconds).</summary>
internal sealed class PublicResponsePermission(ResponsePermissionConfig responses)
{
    [JsonPropertyName("max")] public int MaxMessages { get; } = responses.MaxMessages;

    [JsonPropertyName("ttl")] public long Ttl { get; } = responses.Expires.Ticks * 100;
}
