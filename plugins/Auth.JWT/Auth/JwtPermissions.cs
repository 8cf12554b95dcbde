using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Config;

namespace Nats.AuthJwt.Auth;

/// <summary>nats-server's <c>buildPermissionsFromJwt</c> and <c>validateResponsePermissions</c>: JWT permissions as the kernel's permissions.</summary>
public static class JwtPermissions
{
    private const int DefaultResponseMaxMessages = 1;
    private static readonly TimeSpan DefaultResponseExpiry = TimeSpan.FromMinutes(2);

    /// <summary>Null when the JWT sets no publish, subscribe or response permission.</summary>
    public static PermissionsConfig? Build(Permission pub, Permission sub, ResponsePermission? resp)
    {
        PermissionsConfig? p = null;
        if (!pub.IsEmpty)
        {
            p = new PermissionsConfig { Publish = new SubjectPermissionConfig { Allow = Copy(pub.Allow), Deny = Copy(pub.Deny) } };
        }
        if (!sub.IsEmpty)
        {
            p ??= new PermissionsConfig();
            p.Subscribe = new SubjectPermissionConfig { Allow = Copy(sub.Allow), Deny = Copy(sub.Deny) };
        }
        if (resp is not null)
        {
            p ??= new PermissionsConfig();
            // A response permission turns off the blanket publish allow, and 0 means the default.
            p.Publish ??= new SubjectPermissionConfig();
            p.Publish.Allow ??= [];
            p.Responses = new ResponsePermissionConfig
            {
                MaxMessages = resp.MaxMessages == 0 ? DefaultResponseMaxMessages : resp.MaxMessages,
                Expires = resp.ExpiresNanoseconds == 0 ? DefaultResponseExpiry : TimeSpan.FromTicks(resp.ExpiresNanoseconds / 100),
            };
        }
        return p;
    }

    // An empty JSON list is kept as an empty list: "allow: []" allows nothing.
    private static List<string>? Copy(List<string>? list) => list is { Count: > 0 } ? [.. list] : null;
}
