using System.Globalization;

namespace Nats.Interop.Tests.Infrastructure;

/// <summary>
/// Lists a process's listening TCP sockets that are not bound to loopback, from /proc. The
/// suite promises never to listen outside 127.0.0.1, and a server that ignores the config's
/// <c>host:</c> / <c>listen:</c> would silently break that promise (and the config contract).
/// </summary>
public static class LoopbackGuard
{
    private const string ListenState = "0A";

    /// <summary>A listening socket: /proc's hex address (e.g. <c>0100007F:1F90</c>) and whether it is loopback.</summary>
    public sealed record Listener(string HexAddress, bool V6, bool Loopback)
    {
        public int Port => int.Parse(HexAddress[(HexAddress.IndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

        public override string ToString() => $"{(V6 ? "tcp6" : "tcp")} {HexAddress}";
    }

    /// <summary>Non-loopback listening sockets of <paramref name="pid"/>; empty where /proc is unavailable.</summary>
    public static IReadOnlyList<Listener> NonLoopbackListeners(int pid) => Listeners(pid).Where(l => !l.Loopback).ToList();

    /// <summary>All listening TCP sockets of <paramref name="pid"/>.</summary>
    public static IReadOnlyList<Listener> Listeners(int pid)
    {
        var inodes = SocketInodes(pid);
        if (inodes.Count == 0)
            return [];
        var found = new List<Listener>();
        foreach (var (file, v6) in new[] { ("/proc/net/tcp", false), ("/proc/net/tcp6", true) })
        {
            if (!File.Exists(file))
                continue;
            foreach (var line in File.ReadLines(file).Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length < 10 || cols[3] != ListenState || !inodes.Contains(cols[9]))
                    continue;
                found.Add(new Listener(cols[1], v6, IsLoopback(cols[1][..cols[1].IndexOf(':')], v6)));
            }
        }
        return found;
    }

    private static HashSet<string> SocketInodes(int pid)
    {
        var inodes = new HashSet<string>();
        try
        {
            foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                var target = new FileInfo(fd).LinkTarget;
                if (target != null && target.StartsWith("socket:[", StringComparison.Ordinal))
                    inodes.Add(target[8..^1]);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Process gone or /proc not there (non-Linux): nothing to report.
        }
        return inodes;
    }

    // /proc prints each 32-bit word of the address in host (little-endian) byte order.
    internal static bool IsLoopback(string hex, bool v6)
    {
        if (!v6)
            return FirstByte(hex) == 127;
        var words = Enumerable.Range(0, 4).Select(i => hex.Substring(i * 8, 8)).ToArray();
        if (words[0] == "00000000" && words[1] == "00000000" && words[2] == "00000000" && words[3] == "01000000")
            return true; // ::1
        return words[0] == "00000000" && words[1] == "00000000" && words[2] == "FFFF0000" && FirstByte(words[3]) == 127; // ::ffff:127.x
    }

    private static int FirstByte(string word) => (int)(uint.Parse(word, NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0xFF);
}
