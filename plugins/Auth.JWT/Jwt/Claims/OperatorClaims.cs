using System.Text.Json.Serialization;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>An operator JWT (jwt <c>OperatorClaims</c>): self-signed, the root of trust.</summary>
public sealed class OperatorClaims : JwtClaims
{
    /// <summary><c>nats</c>: the operator-specific fields.</summary>
    [JsonPropertyName("nats"), JsonPropertyOrder(9)] public OperatorNats Nats { get; set => field = value ?? new(); } = new();

    /// <inheritdoc />
    [JsonIgnore] public override string ClaimType => ClaimTypes.Operator;

    /// <inheritdoc />
    [JsonIgnore] public override int FormatVersion => Nats.Version;

    internal override NKeyPrefix[]? ExpectedIssuerPrefixes => [NKeyPrefix.Operator];

    /// <summary>jwt <c>DidSign</c>: the operator or one of its signing keys issued <paramref name="claims"/> (strict usage: signing keys only, except for itself).</summary>
    public bool DidSign(JwtClaims claims)
    {
        if (claims.Issuer == Subject)
        {
            return !Nats.StrictSigningKeyUsage || claims.Subject == Subject;
        }
        return Nats.SigningKeys?.Contains(claims.Issuer ?? "") == true;
    }

    /// <inheritdoc />
    public override void Validate(ValidationResults vr, DateTimeOffset now)
    {
        ValidateTimes(vr, now);
        if (AccountServerUrlError() is { } urlError)
        {
            vr.AddError(urlError);
        }
        foreach (var url in Nats.OperatorServiceUrls ?? [])
        {
            if (url.Length > 0 && ServiceUrlError(url) is { } error)
            {
                vr.AddError(error);
            }
        }
        foreach (var key in Nats.SigningKeys ?? [])
        {
            if (!NKeys.IsValidPublicOperatorKey(key))
            {
                vr.AddError($"{key} is not an operator public key");
            }
        }
        if (!string.IsNullOrEmpty(Nats.SystemAccount) && !NKeys.IsValidPublicAccountKey(Nats.SystemAccount))
        {
            vr.AddError($"{Nats.SystemAccount} is not an account public key");
        }
        if (!TryParseServerVersion(Nats.AssertServerVersion, out _, out var versionError))
        {
            vr.AddError($"assert server version error: {versionError}");
        }
    }

    /// <summary>jwt <c>ParseServerVersion</c>: empty is 0.0.0, else exactly <c>major.minor.update</c>, none negative.</summary>
    public static bool TryParseServerVersion(string? version, out (int Major, int Minor, int Update) parsed, out string? error)
    {
        parsed = default;
        error = null;
        if (string.IsNullOrEmpty(version))
        {
            return true;
        }
        var parts = version.Split('.');
        if (parts.Length != 3)
        {
            error = "asserted server version must be of the form <major>.<minor>.<update>";
            return false;
        }
        var numbers = new int[3];
        for (var i = 0; i < 3; i++)
        {
            if (!int.TryParse(parts[i], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out numbers[i]))
            {
                error = $"asserted server version cant parse {parts[i]} to int";
                return false;
            }
        }
        if (numbers[0] < 0 || numbers[1] < 0 || numbers[2] < 0)
        {
            error = $"asserted server version can'b contain negative values: {version}";
            return false;
        }
        parsed = (numbers[0], numbers[1], numbers[2]);
        return true;
    }

    internal override void PrepareForEncoding()
    {
        Nats.Type = ClaimTypes.Operator;
        Nats.Version = 2;
    }

    internal override string? CheckSubjectForEncoding()
    {
        if (!NKeys.IsValidPublicOperatorKey(Subject ?? ""))
        {
            return "expected subject to be an operator public key";
        }
        return AccountServerUrlError();
    }

    private string? AccountServerUrlError()
    {
        var url = Nats.AccountServerUrl;
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }
        return SimpleUrl.Parse(url).Scheme.Length == 0 ? $"account server url \"{url}\" requires a protocol" : null;
    }

    /// <summary>jwt <c>ValidateOperatorServiceURL</c>: nats, tls, ws or wss, without credentials or path.</summary>
    public static string? ServiceUrlError(string url)
    {
        var parsed = SimpleUrl.Parse(url);
        if (parsed.HasUserInfo)
        {
            return $"operator service url \"{url}\" - credentials are not supported";
        }
        if (parsed.Path.Length > 0)
        {
            return $"operator service url \"{url}\" - paths are not supported";
        }
        return parsed.Scheme.ToLowerInvariant() is "nats" or "tls" or "ws" or "wss"
            ? null
            : $"operator service url \"{url}\" - protocol not supported (only 'nats', 'tls', 'ws', 'wss' only)";
    }
}

/// <summary>The parts of a URL jwt's checks look at, split the way Go's <c>url.Parse</c> does for these inputs.</summary>
internal readonly record struct SimpleUrl(string Scheme, string Host, bool HasUserInfo, string Path)
{
    public static SimpleUrl Parse(string url)
    {
        var rest = url;
        var scheme = "";
        var colon = url.IndexOf(':');
        if (colon > 0 && char.IsAsciiLetter(url[0]) && url.AsSpan(0, colon).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") < 0)
        {
            scheme = url[..colon];
            rest = url[(colon + 1)..];
        }
        var end = rest.IndexOfAny(['?', '#']);
        if (end >= 0)
        {
            rest = rest[..end];
        }
        if (!rest.StartsWith("//", StringComparison.Ordinal))
        {
            return new SimpleUrl(scheme, "", false, rest);
        }
        rest = rest[2..];
        var slash = rest.IndexOf('/');
        var authority = slash >= 0 ? rest[..slash] : rest;
        var path = slash >= 0 ? rest[slash..] : "";
        var at = authority.LastIndexOf('@');
        var hostPort = at >= 0 ? authority[(at + 1)..] : authority;
        var host = hostPort.StartsWith('[') ? hostPort[1..Math.Max(1, hostPort.IndexOf(']'))] : hostPort.Split(':')[0];
        return new SimpleUrl(scheme, host, at >= 0, path);
    }
}
