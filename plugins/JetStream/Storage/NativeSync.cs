using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Nats.JetStream.Storage;

/// <summary>
/// fdatasync for files and fsync for directories (a created, renamed or deleted file is durable
/// only once its directory is synced). .NET's Flush(true) is a full fsync; fdatasync skips the
/// metadata a reader does not need (mtime), which is cheaper on every commit. And fallocate:
/// an append that grows the file makes fdatasync write the inode's new size too, a second
/// synchronous write per commit; blocks allocated ahead grow in steps instead. And a write that
/// is durable when it returns (<see cref="TryWriteDurable"/>): the commit's write and its
/// fdatasync in one system call.
/// </summary>
internal static partial class NativeSync
{
    private const int ORdonly = 0;
    private const int ODirectory = 0x10000;
    private const int EOpNotSupp = 95;
    private const int EIntr = 4;
    private const int ENoSys = 38;
    private const int RwfDsync = 0x2;

    /// <summary>pwritev2 or its RWF_DSYNC flag is missing here (an old kernel or C library): set once.</summary>
    private static volatile bool s_noDurableWrite = !OperatingSystem.IsLinux();

    public static void DataSync(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux())
        {
            RandomAccess.FlushToDisk(handle);
            return;
        }
        if (WithDescriptor(handle, 0, static (fd, _) => fdatasync(fd)) != 0)
        {
            throw Failed("fdatasync", Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// A failed call as an error that says what the OS said ("No space left on device"): the
    /// message goes to the publishers the failed commit answers, as RandomAccess.Write's did.
    /// </summary>
    private static IOException Failed(string call, int errno) =>
        new($"{call} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/> with <c>pwritev2(..., RWF_DSYNC)</c>:
    /// when it returns the range is on disk as after a write and <c>fdatasync</c> (the data and
    /// the metadata needed to read it back), one system call and one wake-up of this thread
    /// fewer per commit. The flush covers only this range, so it stands in for fdatasync only
    /// where every earlier write to the file was synced too. False, with nothing written, where
    /// it is not available (not Linux; a kernel before 4.7 or a C library without pwritev2):
    /// the caller writes and syncs as before.
    /// </summary>
    public static unsafe bool TryWriteDurable(SafeFileHandle handle, ReadOnlySpan<byte> data, long offset)
    {
        if (s_noDurableWrite || data.IsEmpty)
        {
            return false;
        }
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var fd = (int)handle.DangerousGetHandle();
            fixed (byte* start = data)
            {
                var done = 0;
                while (done < data.Length)
                {
                    var vector = new IoVector { Base = start + done, Length = (nuint)(data.Length - done) };
                    nint n;
                    try
                    {
                        n = pwritev2(fd, &vector, 1, offset + done, RwfDsync);
                    }
                    catch (EntryPointNotFoundException)
                    {
                        s_noDurableWrite = true;
                        return false;
                    }
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == EIntr)
                        {
                            continue;
                        }
                        if (done == 0 && errno is EOpNotSupp or ENoSys)
                        {
                            // The flag (or the call) is unknown here: nothing was written.
                            s_noDurableWrite = true;
                            return false;
                        }
                        throw Failed("pwritev2", errno);
                    }
                    // A short write is durable as far as it went; the rest follows the same way.
                    done += (int)n;
                }
            }
            return true;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
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
    private static unsafe partial nint pwritev2(int fd, IoVector* vectors, int count, long offset, int flags);

    /// <summary>C's <c>struct iovec</c>.</summary>
    private unsafe struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
