using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Nats.Core.Config;
using Nats.Core.Logging;

namespace Nats.Core.Tests.Logging;

/// <summary>
/// <c>logfile_size_limit</c> and <c>logfile_max_num</c> as in nats-server: past the limit the
/// file becomes <c>name.yyyy.MM.dd.HH.mm.ss.nanos</c>, the new file opens with
/// <c>Rotated log, backup saved as "…"</c>, and only the newest files are kept.
/// </summary>
[TestFixture]
public sealed class LogRotationTests
{
    private const int Limit = 2000;
    private string _directory = null!;
    private string _path = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Directory.CreateTempSubdirectory("logrotation").FullName;
        _path = Path.Combine(_directory, "nats.log");
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void Past_the_size_limit_the_file_is_rotated_with_nats_server_names_and_first_line()
    {
        WriteLines(new LoggingOptions { LogFile = _path, LogSizeLimit = Limit }, lines: 100);

        var backups = LogFileRotation.Backups(_path);
        Assert.That(backups, Has.Count.GreaterThanOrEqualTo(3), "100 lines of ~80 bytes over a 2000-byte limit");
        foreach (var backup in backups)
        {
            Assert.That(Path.GetFileName(backup), Does.Match(@"^nats\.log\.\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2}(\.\d{1,9})?\d*$"));
            var size = new FileInfo(backup).Length;
            Assert.That(size, Is.GreaterThan(Limit).And.LessThan(Limit + 200), "rotated right after the line that crossed the limit");
        }
        // Each file after the first starts by naming the backup its predecessor became.
        var first = File.ReadLines(_path).First();
        Assert.That(first, Does.Match(@"^\[\d+\] \d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\.\d{6} \[INF\] Rotated log, backup saved as "".+""$"));
        Assert.That(Regex.Match(first, "\"(.+)\"").Groups[1].Value, Is.EqualTo(backups[^1]));
        // No line was lost: every numbered line is in exactly one file.
        var all = backups.Append(_path).SelectMany(File.ReadLines).Where(l => l.Contains("line number ")).ToArray();
        Assert.That(all, Has.Length.EqualTo(100));
        Assert.That(all.Select(l => int.Parse(Regex.Match(l, @"line number (\d+)").Groups[1].Value)), Is.EqualTo(Enumerable.Range(0, 100)));
    }

    [Test]
    public void Max_num_keeps_the_live_file_and_the_newest_backups()
    {
        WriteLines(new LoggingOptions { LogFile = _path, LogSizeLimit = Limit, LogMaxFiles = 3 }, lines: 200);

        var backups = LogFileRotation.Backups(_path);
        Assert.That(backups, Has.Count.EqualTo(2), "3 files: the live one and two backups");
        var kept = backups.Append(_path).SelectMany(File.ReadLines).Where(l => l.Contains("line number ")).ToArray();
        Assert.That(kept.Last(), Does.EndWith("line number 199"), "the newest lines are kept");
        Assert.That(kept.Any(l => l.EndsWith("line number 0", StringComparison.Ordinal)), Is.False, "the oldest went");
    }

    [Test]
    public void Without_a_limit_the_file_just_grows()
    {
        WriteLines(new LoggingOptions { LogFile = _path }, lines: 100);
        Assert.That(LogFileRotation.Backups(_path), Is.Empty);
        Assert.That(new FileInfo(_path).Length, Is.GreaterThan(Limit * 3));
    }

    [Test]
    public void Backup_names_carry_the_time_to_the_nanosecond_without_trailing_zeros()
    {
        var path = Path.Combine(_directory, "x.log");
        Assert.That(LogFileRotation.BackupName(path, new DateTime(2026, 12, 5, 22, 32, 57).AddTicks(8_713_021)), Is.EqualTo(path + ".2026.12.05.22.32.57.8713021"));
        Assert.That(LogFileRotation.BackupName(path, new DateTime(2026, 12, 5, 22, 32, 57).AddTicks(5_000_000)), Is.EqualTo(path + ".2026.12.05.22.32.57.5"));
        Assert.That(LogFileRotation.BackupName(path, new DateTime(2026, 12, 5, 22, 32, 57)), Is.EqualTo(path + ".2026.12.05.22.32.57"));
    }

    private static void WriteLines(LoggingOptions options, int lines)
    {
        using var provider = new NatsLoggerProvider(options);
        var logger = provider.CreateLogger("test");
        for (var i = 0; i < lines; i++)
        {
            logger.LogInformation("127.0.0.1:4222 - cid:{Cid} - line number {Number}", 5, i);
        }
    }
}
