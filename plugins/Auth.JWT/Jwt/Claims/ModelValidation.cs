using System.Globalization;
using System.Net;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Security;

namespace Nats.AuthJwt.Jwt.Claims;

/// <summary>jwt's <c>Validate</c> methods of the value types claims share (permissions, limits, info, exports…).</summary>
internal static class ModelValidation
{
    private const int MaxInfoLength = 8 * 1024;

    /// <summary>jwt <c>Permissions.Validate</c>: subscribe entries may carry a queue, publish entries may not.</summary>
    public static void ValidatePermissions(Permission pub, Permission sub, ValidationResults vr)
    {
        ValidatePermission(sub, vr, permitQueue: true);
        ValidatePermission(pub, vr, permitQueue: false);
    }

    private static void ValidatePermission(Permission permission, ValidationResults vr, bool permitQueue)
    {
        foreach (var subject in (permission.Allow ?? []).Concat(permission.Deny ?? []))
        {
            var tokens = subject.Split(' ');
            switch (tokens.Length)
            {
                case 1:
                    JwtSubjects.Validate(tokens[0], vr);
                    break;
                case 2:
                    JwtSubjects.Validate(tokens[0], vr);
                    JwtSubjects.Validate(tokens[1], vr);
                    if (!permitQueue)
                    {
                        vr.AddError($"Permission Subject \"{subject}\" is not allowed to contain queue");
                    }
                    break;
                default:
                    vr.AddError($"Permission Subject \"{subject}\" contains too many spaces");
                    break;
            }
        }
    }

    /// <summary>jwt <c>Limits.Validate</c>: CIDRs parse, time ranges parse, the time zone exists.</summary>
    public static void ValidateUserLimits(UserPermissionLimits limits, ValidationResults vr)
    {
        foreach (var cidr in limits.Src ?? [])
        {
            if (!Cidr.TryParse(cidr, out _))
            {
                vr.AddError($"invalid cidr \"{cidr}\" in user src limits");
            }
        }
        foreach (var range in limits.Times ?? [])
        {
            if (string.IsNullOrEmpty(range.Start))
            {
                vr.AddError("time ranges start must contain a start");
            }
            else if (!ClockTime.TryParse(range.Start, out _))
            {
                vr.AddError($"start in time range is invalid \"{range.Start}\"");
            }
            if (string.IsNullOrEmpty(range.End))
            {
                vr.AddError("time ranges end must contain an end");
            }
            else if (!ClockTime.TryParse(range.End, out _))
            {
                vr.AddError($"end in time range is invalid \"{range.End}\"");
            }
        }
        if (!string.IsNullOrEmpty(limits.Locale) && !TimeZones.TryFind(limits.Locale, out _, out var error))
        {
            vr.AddError($"could not parse iana time zone by name: {error}");
        }
    }

    /// <summary>jwt <c>Info.Validate</c>.</summary>
    public static void ValidateInfo(string? description, string? infoUrl, ValidationResults vr)
    {
        if ((description?.Length ?? 0) > MaxInfoLength)
        {
            vr.AddError("Description is too long");
        }
        if (!string.IsNullOrEmpty(infoUrl))
        {
            if (infoUrl.Length > MaxInfoLength)
            {
                vr.AddError("Info URL is too long");
            }
            var url = SimpleUrl.Parse(infoUrl);
            if (url.Host.Length == 0 || url.Scheme.Length == 0)
            {
                vr.AddError("error parsing info url: no hostname or scheme");
            }
        }
    }

    /// <summary>jwt <c>Export.Validate</c>.</summary>
    public static void ValidateExport(Export? e, ValidationResults vr)
    {
        if (e is null)
        {
            vr.AddError("null export is not allowed");
            return;
        }
        var isService = e.Type == ExportType.Service;
        var isStream = e.Type == ExportType.Stream;
        if (!isService && !isStream)
        {
            vr.AddError($"invalid export type: \"{e.Type.Name()}\"");
        }
        if (isService && e.ResponseType is not (null or "" or "Singleton" or "Stream" or "Chunked"))
        {
            vr.AddError($"invalid response type for service: \"{e.ResponseType}\"");
        }
        if (isStream)
        {
            if (!string.IsNullOrEmpty(e.ResponseType))
            {
                vr.AddError($"invalid response type for stream: \"{e.ResponseType}\"");
            }
            if (e.AllowTrace)
            {
                vr.AddError("AllowTrace only valid for service export");
            }
        }
        if (e.Latency is { } latency)
        {
            if (!isService)
            {
                vr.AddError("latency tracking only permitted for services");
            }
            if (latency.Sampling != 0 && latency.Sampling is < 1 or > 100)
            {
                vr.AddError("sampling percentage needs to be between 1-100");
            }
            JwtSubjects.Validate(latency.Results, vr);
            if (JwtSubjects.HasWildCards(latency.Results))
            {
                vr.AddError("results subject can not contain wildcards");
            }
        }
        if (e.ResponseThresholdNanoseconds < 0)
        {
            vr.AddError("negative response threshold is invalid");
        }
        if (e.ResponseThresholdNanoseconds > 0 && !isService)
        {
            vr.AddError("response threshold only valid for services");
        }
        JwtSubjects.Validate(e.Subject, vr);
        if (e.AccountTokenPosition > 0)
        {
            if (!JwtSubjects.HasWildCards(e.Subject))
            {
                vr.AddError($"Account Token Position can only be used with wildcard subjects: {e.Subject}");
            }
            else
            {
                var tokens = (e.Subject ?? "").Split('.');
                if (e.AccountTokenPosition > tokens.Length)
                {
                    vr.AddError($"Account Token Position {e.AccountTokenPosition} exceeds length of subject '{e.Subject}'");
                }
                else if (tokens[e.AccountTokenPosition - 1] is var token && token != "*")
                {
                    vr.AddError($"Account Token Position {e.AccountTokenPosition} matches '{token}' but must match a * in: {e.Subject}");
                }
            }
        }
        ValidateInfo(e.Description, e.InfoUrl, vr);
    }

    /// <summary>jwt <c>Exports.Validate</c>: each export, then no export subject inside another of the same kind.</summary>
    public static void ValidateExports(List<Export>? exports, ValidationResults vr)
    {
        var services = new List<string?>();
        var streams = new List<string?>();
        foreach (var export in exports ?? [])
        {
            if (export is null)
            {
                vr.AddError("null export is not allowed");
                continue;
            }
            (export.Type == ExportType.Service ? services : streams).Add(export.Subject);
            ValidateExport(export, vr);
        }
        ReportContained(ExportType.Service, services, vr);
        ReportContained(ExportType.Stream, streams, vr);
    }

    private static void ReportContained(ExportType kind, List<string?> subjects, ValidationResults vr)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < subjects.Count; i++)
        {
            for (var j = 0; j < subjects.Count; j++)
            {
                if (i != j && JwtSubjects.IsContainedIn(subjects[i], subjects[j]))
                {
                    found.TryAdd(subjects[j] ?? "", subjects[i] ?? "");
                }
            }
        }
        foreach (var (container, contained) in found)
        {
            vr.AddError($"{kind.Name()} export subject \"{container}\" already exports \"{contained}\"");
        }
    }

    /// <summary>jwt <c>Import.Validate</c>: the import, and its activation token against it.</summary>
    public static void ValidateImport(Import? i, string accountPublicKey, ValidationResults vr)
    {
        if (i is null)
        {
            vr.AddError("null import is not allowed");
            return;
        }
        var isService = i.Type == ExportType.Service;
        if (!isService && i.Type != ExportType.Stream)
        {
            vr.AddError($"invalid import type: \"{i.Type.Name()}\"");
        }
        if (isService && i.AllowTrace)
        {
            vr.AddError("AllowTrace only valid for stream import");
        }
        if (string.IsNullOrEmpty(i.Account))
        {
            vr.AddError("account to import from is not specified");
        }
        if (!string.IsNullOrEmpty(i.To))
        {
            vr.AddWarning("the field to has been deprecated (use LocalSubject instead)");
        }
        JwtSubjects.Validate(i.Subject, vr);
        if (!string.IsNullOrEmpty(i.LocalSubject))
        {
            JwtSubjects.ValidateRenaming(i.LocalSubject, i.Subject, vr);
            if (!string.IsNullOrEmpty(i.To))
            {
                vr.AddError("Local Subject replaces To");
            }
        }
        if (i.Share && !isService)
        {
            vr.AddError($"sharing information (for latency tracking) is only valid for services: \"{i.Subject}\"");
        }
        if (string.IsNullOrEmpty(i.Token))
        {
            return;
        }
        ActivationClaims activation;
        try
        {
            activation = JwtCodec.DecodeActivationClaims(i.Token);
        }
        catch (JwtException)
        {
            vr.AddError($"import \"{i.Subject}\" contains an invalid activation token");
            return;
        }
        if (activation.Issuer != i.Account && activation.Nats.IssuerAccount != i.Account)
        {
            vr.AddError($"activation token doesn't match account for import \"{i.Subject}\"");
        }
        if (activation.Subject != accountPublicKey)
        {
            vr.AddError($"activation token doesn't match account it is being included in, \"{i.Subject}\"");
        }
        if (activation.Nats.ImportType != i.Type)
        {
            vr.AddError($"mismatch between token import type {activation.Nats.ImportType.Name()} and type of import {i.Type.Name()}");
        }
        activation.ValidateWithoutTimes(vr);
        var subject = isService && !string.IsNullOrEmpty(i.To) ? i.To : i.Subject;
        if (!JwtSubjects.IsContainedIn(subject, activation.Nats.ImportSubject))
        {
            vr.AddError($"activation token import subject \"{activation.Nats.ImportSubject}\" doesn't match import \"{i.Subject}\"");
        }
    }

    /// <summary>jwt <c>Imports.Validate</c>: service imports of one account must not overlap, then each import.</summary>
    public static void ValidateImports(List<Import>? imports, string accountPublicKey, ValidationResults vr)
    {
        var byAccount = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var import in imports ?? [])
        {
            if (import is null)
            {
                vr.AddError("null import is not allowed");
                continue;
            }
            if (import.Type == ExportType.Service)
            {
                var subject = !string.IsNullOrEmpty(import.To) ? import.To
                    : !string.IsNullOrEmpty(import.LocalSubject) ? JwtSubjects.RenamingToSubject(import.LocalSubject)
                    : import.Subject ?? "";
                var account = import.Account ?? "";
                if (!byAccount.TryGetValue(account, out var seen))
                {
                    byAccount[account] = seen = new HashSet<string>(StringComparer.Ordinal);
                }
                foreach (var other in seen)
                {
                    if (JwtSubjects.IsContainedIn(subject, other) || JwtSubjects.IsContainedIn(other, subject))
                    {
                        vr.AddError($"overlapping subject namespace for \"{subject}\" and \"{other}\" in same account \"{account}\"");
                    }
                }
                if (!seen.Add(subject))
                {
                    vr.AddError($"overlapping subject namespace for \"{subject}\" in account \"{account}\"");
                }
            }
            ValidateImport(import, accountPublicKey, vr);
        }
    }

    /// <summary>jwt <c>Mapping.Validate</c>: weights per cluster and overall at most 100.</summary>
    public static void ValidateMappings(SubjectMappings? mappings, ValidationResults vr)
    {
        foreach (var (from, destinations) in mappings ?? [])
        {
            JwtSubjects.Validate(from, vr);
            var perCluster = new Dictionary<string, int>(StringComparer.Ordinal);
            var total = 0;
            foreach (var destination in destinations ?? [])
            {
                JwtSubjects.Validate(destination.Subject, vr);
                if (destination.EffectiveWeight > 100)
                {
                    vr.AddError($"Mapping \"{from}\" has a weight {destination.EffectiveWeight} that exceeds 100");
                }
                if (!string.IsNullOrEmpty(destination.Cluster))
                {
                    var sum = perCluster.GetValueOrDefault(destination.Cluster) + destination.EffectiveWeight;
                    perCluster[destination.Cluster] = sum;
                    if (sum > 100)
                    {
                        vr.AddError($"Mapping \"{from}\" in cluster \"{destination.Cluster}\" exceeds 100% among all of it's weighted to mappings");
                    }
                }
                else
                {
                    total += destination.EffectiveWeight;
                }
            }
            if (total > 100)
            {
                vr.AddError($"Mapping \"{from}\" exceeds 100% among all of it's weighted to mappings");
            }
        }
    }

    /// <summary>jwt <c>ExternalAuthorization.Validate</c>.</summary>
    public static void ValidateExternalAuthorization(ExternalAuthorization authorization, ValidationResults vr)
    {
        var users = authorization.AuthUsers ?? [];
        var accounts = authorization.AllowedAccounts ?? [];
        if (accounts.Count > 0 && users.Count == 0)
        {
            vr.AddError("External authorization cannot have accounts without users specified");
        }
        foreach (var user in users)
        {
            if (!NKeys.IsValidPublicUserKey(user))
            {
                vr.AddError($"AuthUser \"{user}\" is not a valid user public key");
            }
        }
        foreach (var account in accounts)
        {
            if (account == JwtLimits.AnyAccount)
            {
                if (accounts.Count > 1)
                {
                    vr.AddError($"AllowedAccounts can only be a list of accounts or \"{JwtLimits.AnyAccount}\"");
                }
                continue;
            }
            if (!NKeys.IsValidPublicAccountKey(account))
            {
                vr.AddError($"Account \"{account}\" is not a valid account public key");
            }
        }
        if (!string.IsNullOrEmpty(authorization.XKey) && !NKeys.IsValidPublicCurveKey(authorization.XKey))
        {
            vr.AddError($"XKey \"{authorization.XKey}\" is not a valid public xkey");
        }
    }

    /// <summary>jwt <c>SigningKeys.Validate</c>: scoped keys and plain keys must be account keys.</summary>
    public static void ValidateSigningKeys(SigningKeys? keys, ValidationResults vr)
    {
        foreach (var (key, scope) in keys ?? [])
        {
            if (scope is not null)
            {
                if (!NKeys.IsValidPublicAccountKey(scope.Key))
                {
                    vr.AddError($"{scope.Key} is not an account public key");
                }
            }
            else if (!NKeys.IsValidPublicAccountKey(key))
            {
                vr.AddError($"\"{key}\" is not a valid account signing key");
            }
        }
    }
}

/// <summary>Go's <c>net.ParseCIDR</c> and <c>IPNet.Contains</c>, with Go's strict address syntax.</summary>
public readonly record struct Cidr(IPAddress Network, int PrefixLength)
{
    /// <summary>Parses <c>address/prefix</c>; the address may have host bits set (Go masks them).</summary>
    public static bool TryParse(string text, out Cidr cidr)
    {
        cidr = default;
        var slash = text.IndexOf('/');
        if (slash < 0 || !GoIp.TryParse(text[..slash], out var address))
        {
            return false;
        }
        var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128;
        var prefixText = text[(slash + 1)..];
        if (prefixText.Length == 0 || prefixText.Length > 3 || !prefixText.All(char.IsAsciiDigit)
            || (prefixText.Length > 1 && prefixText[0] == '0')
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > bits)
        {
            return false;
        }
        cidr = new Cidr(Mask(address, prefix), prefix);
        return true;
    }

    /// <summary>True when <paramref name="address"/> is inside (IPv4-mapped IPv6 addresses count as IPv4).</summary>
    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (address.AddressFamily != Network.AddressFamily)
        {
            return false;
        }
        return Mask(address, PrefixLength).Equals(Network);
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }
}

/// <summary>Go's <c>net.ParseIP</c>: dotted decimal IPv4 without leading zeros, or IPv6 without a zone.</summary>
public static class GoIp
{
    /// <summary>Parses <paramref name="text"/> as Go does; false when Go would return nil.</summary>
    public static bool TryParse(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            if (text.Contains('%') || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }
            address = v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
            return true;
        }
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }
        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            var part = parts[i];
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }
            bytes[i] = (byte)value;
        }
        address = new IPAddress(bytes);
        return true;
    }
}

/// <summary>Go's <c>time.Parse("15:04:05", …)</c>: hour of one or two digits, two-digit minutes and seconds, optional fraction.</summary>
public static class ClockTime
{
    /// <summary>Parses <paramref name="text"/> as Go does; false when Go would return an error.</summary>
    public static bool TryParse(string text, out TimeSpan time)
    {
        time = default;
        var parts = text.Split(':');
        if (parts.Length != 3 || parts[0].Length is 0 or > 2 || parts[1].Length != 2 || parts[2].Length < 2
            || !parts[0].All(char.IsAsciiDigit) || !parts[1].All(char.IsAsciiDigit) || !parts[2][..2].All(char.IsAsciiDigit))
        {
            return false;
        }
        var fraction = parts[2][2..];
        if (fraction.Length > 0 && (fraction[0] != '.' || fraction.Length == 1 || !fraction[1..].All(char.IsAsciiDigit)))
        {
            return false;
        }
        var hour = int.Parse(parts[0], CultureInfo.InvariantCulture);
        var minute = int.Parse(parts[1], CultureInfo.InvariantCulture);
        var second = int.Parse(parts[2][..2], CultureInfo.InvariantCulture);
        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }
        time = new TimeSpan(hour, minute, second);
        return true;
    }
}

/// <summary>Go's <c>time.LoadLocation</c> over the system's IANA zone data.</summary>
public static class TimeZones
{
    /// <summary>The zone called <paramref name="name"/>, or false with Go's error text.</summary>
    public static bool TryFind(string name, out TimeZoneInfo zone, out string? error)
    {
        error = null;
        if (name is "UTC" or "")
        {
            zone = TimeZoneInfo.Utc;
            return true;
        }
        if (name == "Local")
        {
            zone = TimeZoneInfo.Local;
            return true;
        }
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(name);
            return true;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            zone = TimeZoneInfo.Utc;
            error = $"unknown time zone {name}";
            return false;
        }
    }
}
