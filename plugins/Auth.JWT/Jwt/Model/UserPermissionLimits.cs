using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Json;

namespace Nats.AuthJwt.Jwt.Model;

/// <summary>
/// What a user may do and from where (jwt <c>UserPermissionLimits</c>: <c>Permissions</c>,
/// <c>Limits</c> = <c>UserLimits</c> + <c>NatsLimits</c>, bearer, proxy and connection types),
/// flattened in Go's field order. Also the template of a scoped signing key.
/// </summary>
public class UserPermissionLimits
{
    [JsonPropertyName("pub"), JsonPropertyOrder(1)] public Permission Pub { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("sub"), JsonPropertyOrder(2)] public Permission Sub { get; set => field = value ?? new(); } = new();

    [JsonPropertyName("resp"), JsonPropertyOrder(3), OmitEmpty] public ResponsePermission? Resp { get; set; }

    /// <summary>Allowed source networks (CIDR); JSON may give an array or one comma-separated string.</summary>
    [JsonPropertyName("src"), JsonPropertyOrder(4), OmitEmpty, JsonConverter(typeof(CidrListConverter))]
    public List<string>? Src { get; set; }

    [JsonPropertyName("times"), JsonPropertyOrder(5), OmitEmpty] public List<TimeRange>? Times { get; set; }

    /// <summary>IANA time zone of <see cref="Times"/> (<c>times_location</c>); empty is the server's local zone.</summary>
    [JsonPropertyName("times_location"), JsonPropertyOrder(6), OmitEmpty] public string? Locale { get; set; }

    [JsonPropertyName("subs"), JsonPropertyOrder(7), OmitEmpty] public long Subs { get; set; }

    [JsonPropertyName("data"), JsonPropertyOrder(8), OmitEmpty] public long Data { get; set; }

    [JsonPropertyName("payload"), JsonPropertyOrder(9), OmitEmpty] public long Payload { get; set; }

    [JsonPropertyName("bearer_token"), JsonPropertyOrder(10), OmitEmpty] public bool BearerToken { get; set; }

    [JsonPropertyName("proxy_required"), JsonPropertyOrder(11), OmitEmpty] public bool ProxyRequired { get; set; }

    [JsonPropertyName("allowed_connection_types"), JsonPropertyOrder(12), OmitEmpty] public List<string>? AllowedConnectionTypes { get; set; }

    /// <summary>The permissions part as jwt's <c>Permissions</c> view.</summary>
    [JsonIgnore]
    public Permissions Permissions => new() { Pub = Pub, Sub = Sub, Resp = Resp };

    /// <summary>
    /// jwt's <c>HasEmptyPermissions</c> (a <c>reflect.DeepEqual</c> with the zero value): every
    /// list absent, not merely empty, every number zero and every flag false.
    /// </summary>
    [JsonIgnore]
    public bool IsZero =>
        Pub.Allow is null && Pub.Deny is null && Sub.Allow is null && Sub.Deny is null && Resp is null
        && Src is null && Times is null && string.IsNullOrEmpty(Locale) && Subs == 0 && Data == 0 && Payload == 0
        && !BearerToken && !ProxyRequired && AllowedConnectionTypes is null;

    /// <summary>Sets the three <c>NatsLimits</c> to unlimited (-1), as jwt's constructors do.</summary>
    public void SetUnlimitedNatsLimits()
    {
        Subs = Data = Payload = JwtLimits.NoLimit;
    }

    /// <summary>A deep copy (templates are applied to a copy, never to the account's scope).</summary>
    public UserPermissionLimits CloneLimits() => new()
    {
        Pub = new Permission { Allow = Pub.Allow is null ? null : [.. Pub.Allow], Deny = Pub.Deny is null ? null : [.. Pub.Deny] },
        Sub = new Permission { Allow = Sub.Allow is null ? null : [.. Sub.Allow], Deny = Sub.Deny is null ? null : [.. Sub.Deny] },
        Resp = Resp is null ? null : new ResponsePermission { MaxMessages = Resp.MaxMessages, ExpiresNanoseconds = Resp.ExpiresNanoseconds },
        Src = Src is null ? null : [.. Src],
        Times = Times?.Select(t => new TimeRange { Start = t.Start, End = t.End }).ToList(),
        Locale = Locale,
        Subs = Subs,
        Data = Data,
        Payload = Payload,
        BearerToken = BearerToken,
        ProxyRequired = ProxyRequired,
        AllowedConnectionTypes = AllowedConnectionTypes is null ? null : [.. AllowedConnectionTypes],
    };

    /// <summary>Copies every field of <paramref name="source"/> into this instance (jwt assigns the struct).</summary>
    public void AssignLimits(UserPermissionLimits source)
    {
        Pub = source.Pub;
        Sub = source.Sub;
        Resp = source.Resp;
        Src = source.Src;
        Times = source.Times;
        Locale = source.Locale;
        Subs = source.Subs;
        Data = source.Data;
        Payload = source.Payload;
        BearerToken = source.BearerToken;
        ProxyRequired = source.ProxyRequired;
        AllowedConnectionTypes = source.AllowedConnectionTypes;
    }
}

/// <summary>jwt's limit sentinel.</summary>
public static class JwtLimits
{
    /// <summary>jwt <c>NoLimit</c>: unlimited.</summary>
    public const long NoLimit = -1;

    /// <summary>jwt <c>AnyAccount</c> in <c>allowed_accounts</c>.</summary>
    public const string AnyAccount = "*";

    /// <summary>jwt <c>All</c>: the revocation key that revokes every key.</summary>
    public const string All = "*";
}
