using System.Security.Cryptography;
using Nats.Core.Accounts;
using Nats.Core.Config;

namespace HtpasswdAuth;

/// <summary>
/// The <c>htpasswd { file, access, status_subject }</c> section with the users read from its
/// files. Parsing reads the files, so every reload (SIGHUP) re-reads them; two parses are equal
/// when the settings and the files' contents are, which is how the config bus tells that a
/// reload changes nothing.
/// </summary>
public sealed class HtpasswdOptions : IEquatable<HtpasswdOptions>
{
    /// <summary>The section name.</summary>
    public const string SectionName = "htpasswd";

    /// <summary>No section: the plugin stays idle and registers no authenticator.</summary>
    public static readonly HtpasswdOptions Disabled = new(null, null, null, new Dictionary<string, HtpasswdUser>(), "");

    private HtpasswdOptions(string? file, string? accessFile, string? statusSubject, IReadOnlyDictionary<string, HtpasswdUser> users, string digest)
    {
        File = file;
        AccessFile = accessFile;
        StatusSubject = statusSubject;
        Users = users;
        Digest = digest;
    }

    /// <summary>The htpasswd file; null when the section is absent.</summary>
    public string? File { get; }

    /// <summary>The JSON access file, or null.</summary>
    public string? AccessFile { get; }

    /// <summary>A subject on which the plugin answers status requests, or null.</summary>
    public string? StatusSubject { get; }

    /// <summary>The users by name.</summary>
    public IReadOnlyDictionary<string, HtpasswdUser> Users { get; }

    /// <summary>A hash of the files' contents.</summary>
    public string Digest { get; }

    /// <summary>True when the section is present.</summary>
    public bool Enabled => File is not null;

    /// <summary>Reads the section (null when absent) and its files. Errors are <see cref="ConfigException"/>s naming the option.</summary>
    public static HtpasswdOptions Parse(ConfValue? section, AccountRegistry accounts)
    {
        if (section is null)
        {
            return Disabled;
        }
        if (section is not ConfMap map)
        {
            throw new ConfigException(section.Position, $"{SectionName}: expected a map, got {section.Describe()}");
        }
        ConfEntry? file = null;
        ConfEntry? access = null;
        string? statusSubject = null;
        foreach (var entry in map)
        {
            switch (entry.Key.ToLowerInvariant())
            {
                case "file":
                    file = entry;
                    break;
                case "access":
                    access = entry;
                    break;
                case "status_subject":
                    statusSubject = Text(entry);
                    break;
                default:
                    throw new ConfigException(entry.KeyPosition, $"{SectionName}: unknown field \"{entry.Key}\"");
            }
        }
        if (file is null)
        {
            throw new ConfigException(section.Position, $"{SectionName}.file: required");
        }
        var filePath = Text(file);
        var fileBytes = Read(file, filePath);
        var passwords = HtpasswdFile.Parse(System.Text.Encoding.UTF8.GetString(fileBytes), filePath, file.KeyPosition);
        var accessPath = access is null ? null : Text(access);
        var accessBytes = access is null ? [] : Read(access, accessPath!);
        var bindings = access is null
            ? new Dictionary<string, (string?, PermissionsConfig?)>()
            : AccessJson.Parse(System.Text.Encoding.UTF8.GetString(accessBytes), accessPath!, access.KeyPosition, passwords, accounts);
        var users = passwords.ToDictionary(
            p => p.Key,
            p => bindings.TryGetValue(p.Key, out var b) ? new HtpasswdUser(p.Key, p.Value, b.Account, b.Permissions) : new HtpasswdUser(p.Key, p.Value, null, null),
            StringComparer.Ordinal);
        var digest = Convert.ToHexString(SHA256.HashData([.. fileBytes, 0, .. accessBytes]));
        return new HtpasswdOptions(filePath, accessPath, statusSubject, users, digest);
    }

    public bool Equals(HtpasswdOptions? other) =>
        other is not null && File == other.File && AccessFile == other.AccessFile
        && StatusSubject == other.StatusSubject && Digest == other.Digest;

    public override bool Equals(object? obj) => Equals(obj as HtpasswdOptions);

    public override int GetHashCode() => HashCode.Combine(File, AccessFile, StatusSubject, Digest);

    private static string Text(ConfEntry entry) => entry.Value is ConfString { Value.Length: > 0 } text
        ? text.Value
        : throw new ConfigException(entry.KeyPosition, $"{SectionName}.{entry.Key}: expected a string, got {entry.Value.Describe()}");

    // The error names the option, so a reload rejected for a missing file says which setting is wrong.
    private static byte[] Read(ConfEntry entry, string path)
    {
        try
        {
            return System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(entry.KeyPosition, $"{SectionName}.{entry.Key}: cannot read \"{path}\": {e.Message}");
        }
    }
}
