using System.Net;
using System.Net.Sockets;

namespace Nats.TestSupport;

/// <summary>
/// Free loopback ports for what a test must configure with a port before it starts (a cluster's
/// routes, gateways and leaf nodes, a child process's listeners). A port the kernel assigned (a
/// bind to port 0) and released goes back to its ephemeral range, where any process's next
/// outgoing connection or bind to port 0 may take it before the server binds it, and CI runs the
/// test projects in parallel. So ports come from below that range, which nothing takes
/// implicitly, handed out in turn by every test process of the machine through a counter in a
/// locked file: within a cycle of the range (~22,000 ports) no two calls, in one process or two,
/// get the same port. Each is checked free (nothing else listens on it) when handed out.
/// </summary>
public static class FreePorts
{
    private static readonly (int First, int Last) Range = BelowEphemeral();
    private static readonly string CounterFile = Path.Combine(Path.GetTempPath(), "nats-test-ports.next");
    private static readonly object InProcess = new();
    private static int _fallbackNext = Random.Shared.Next(Range.First, Range.Last + 1);

    public static int[] Take(int count)
    {
        lock (InProcess)
        {
            using var counter = LockCounter();
            var next = counter is null ? _fallbackNext : ReadNext(counter);
            var ports = new int[count];
            var tried = 0;
            for (var found = 0; found < count; tried++)
            {
                if (tried > Range.Last - Range.First)
                {
                    throw new InvalidOperationException($"no {count} free ports in {Range.First}-{Range.Last}");
                }
                var port = next;
                next = next >= Range.Last ? Range.First : next + 1;
                if (IsFree(port))
                {
                    ports[found++] = port;
                }
            }
            if (counter is null)
            {
                _fallbackNext = next;
            }
            else
            {
                WriteNext(counter, next);
            }
            return ports;
        }
    }

    public static int Take() => Take(1)[0];

    /// <summary>
    /// The counter file, locked against every other process (an exclusive flock, which .NET takes
    /// for <see cref="FileShare.None"/>; a holder keeps it for microseconds). Null when the temp
    /// directory does not let this user have it: the counter is then this process's alone.
    /// </summary>
    private static FileStream? LockCounter()
    {
        var deadline = Environment.TickCount64 + 30_000;
        while (true)
        {
            try
            {
                return new FileStream(CounterFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException)
            {
                return null;
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                Thread.Sleep(2);
            }
        }
    }

    private static int ReadNext(FileStream counter)
    {
        var text = new StreamReader(counter, leaveOpen: true).ReadToEnd();
        // A fresh machine has no counter yet: start anywhere, so that two runs of one test do not use the same ports.
        return int.TryParse(text, out var next) && next >= Range.First && next <= Range.Last
            ? next
            : Random.Shared.Next(Range.First, Range.Last + 1);
    }

    private static void WriteNext(FileStream counter, int next)
    {
        counter.SetLength(0);
        using var writer = new StreamWriter(counter, leaveOpen: true);
        writer.Write(next.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static bool IsFree(int port)
    {
        // Any address: a server bound to 127.0.0.1 or to all addresses on this port both conflict.
        var listener = new TcpListener(IPAddress.Any, port);
        try
        {
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// Ports the kernel never assigns by itself: below its ephemeral range (Linux's
    /// ip_local_port_range, 32768-60999 by default), else above it, from 10000 up.
    /// </summary>
    private static (int First, int Last) BelowEphemeral()
    {
        var (low, high) = (49152, 65535); // IANA's ephemeral range, used elsewhere
        try
        {
            var bounds = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            (low, high) = (int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
        }
        const int first = 10_000, enough = 2_000;
        if (low - first >= enough)
        {
            return (first, low - 1);
        }
        return 65535 - high >= enough ? (high + 1, 65535) : (first, 30_000);
    }
}
