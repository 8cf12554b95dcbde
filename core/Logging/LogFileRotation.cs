using System.Globalization;

namespace Nats.Core.Logging;

/// <summary>
/// nats-server's log file rotation, by name: a backup is the log file's name followed by the
/// local time to the nanosecond (<c>nats.log.2026.12.05.22.32.57.871302109</c>, Go's
/// <c>2006.01.02.15.04.05.999999999</c>, trailing zeros dropped), so backups sort by age;
/// <c>logfile_max_num</c> counts the live file and its backups together.
/// </summary>
internal static class LogFileRotation
{
    /// <summary>The backup name of <paramref name="path"/> at <paramref name="now"/> (local time).</summary>
    public static string BackupName(string path, DateTime now)
    {
        var nanoseconds = (now.Ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        var stamp = now.ToString("yyyy.MM.dd.HH.mm.ss", CultureInfo.InvariantCulture) + (nanoseconds.Length == 0 ? "" : "." + nanoseconds);
        var backup = $"{path}.{stamp}";
        // Two rotations within the clock's resolution: the second backup must not replace the first.
        for (var n = 1; File.Exists(backup); n++)
        {
            backup = $"{path}.{stamp}{n}";
        }
        return backup;
    }

    /// <summary>The backups of <paramref name="path"/>, oldest first (the stamps sort as text: trailing zeros are dropped).</summary>
    public static IReadOnlyList<string> Backups(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var prefix = Path.GetFileName(path) + ".";
        return [.. Directory.EnumerateFiles(directory, prefix + "*")
            .Where(f => Path.GetFileName(f) is var name && name.Length > prefix.Length && IsStamp(name[prefix.Length..]))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Deletes the oldest backups until the live file and its backups number at most
    /// <paramref name="maxFiles"/>; 0 keeps them all.
    /// </summary>
    public static void Prune(string path, int maxFiles)
    {
        if (maxFiles <= 0)
        {
            return;
        }
        var backups = Backups(path);
        for (var i = 0; i < backups.Count - (maxFiles - 1); i++)
        {
            try
            {
                File.Delete(backups[i]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for the next rotation.
            }
        }
    }

    private static bool IsStamp(string suffix) =>
        suffix.Length >= 19 && suffix.All(c => char.IsAsciiDigit(c) || c == '.');
}
