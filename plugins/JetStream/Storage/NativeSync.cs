using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nats.JetStream.Storage;

/// <summary>
/// fdatasync for files and fsync for directories (a created, renamed or deleted file is durable
/// only once its directory is synced). .NET's Flush(true) is a full fsync; fdatasync skips the
/// metadata a reader does not need (mtime), which is cheaper on every commit. And fallocate:
/// an append that grows the file makes fdatasync write the inode's new size too, a second
/// synchronous write per commit; blocks allocated ahead grow in steps instead.
/// </summary>
internal static partial class NativeSync
{
    private const int ORdonly = 0;
    private const int ODirectory = 0x10000;
    private const int EOpNotSupp = 95;

    public static void DataSync(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        if (WithDescriptor(handle, 0, static (fd, _) => fdatasync(fd)) != 0)
        {
            throw new IOException($"fdatasync failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>
    /// Allocates the file up to <paramref name="length"/> bytes (zeros; the size changes now, not
    /// with each later write below it). False when it could not (no space, or, with
    /// <paramref name="unsupported"/>, never will: not Linux, a file system without fallocate):
    /// the caller appends as before.
    /// </summary>
    public static bool Preallocate(SafeFileHandle handle, long length, out bool unsupported)
    {
        unsupported = !OperatingSystem.IsLinux();
        if (unsupported)
        {
            return false;
        }
        if (WithDescriptor(handle, length, static (fd, len) => fallocate(fd, 0, 0, len)) == 0)
        {
            return true;
        }
        unsupported = Marshal.GetLastPInvokeError() == EOpNotSupp;
        return false;
    }

    /// <summary>
    /// Calls <paramref name="call"/> with the handle's file descriptor, kept from being closed
    /// by another thread during the call. The last P/Invoke error is still the call's afterwards.
    /// </summary>
    private static int WithDescriptor<TArg>(SafeFileHandle handle, TArg arg, Func<int, TArg, int> call)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return call((int)handle.DangerousGetHandle(), arg);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = open(path, ORdonly | ODirectory);
        if (fd < 0)
        {
            throw new IOException($"open {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync {path} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
        finally
        {
            close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fdatasync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
