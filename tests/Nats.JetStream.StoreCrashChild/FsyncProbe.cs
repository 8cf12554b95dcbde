using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Nats.JetStream.StoreCrashChild;

/// <summary>Measures this disk's append + fdatasync time, the floor under a durable acknowledgement.</summary>
internal static partial class FsyncProbe
{
    public static string Measure(string dir)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "fsync.dat");
        var record = new byte[164];
        const int n = 2000;
        using var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            RandomAccess.Write(file, record, (long)i * record.Length);
            if (fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                throw new IOException("fdatasync failed");
            }
        }
        var mean = watch.Elapsed.TotalMicroseconds / n;
        File.Delete(path);
        return $"fdatasync {mean:F1} us (164-byte append + fdatasync, mean of {n})";
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);
}
