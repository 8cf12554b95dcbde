namespace Nats.Core.Security.Tls;

/// <summary>
/// Watches a TLS set's files (<c>watch: true</c>) and calls back once things settle: writers
/// (cert-manager, certbot, a <c>cp</c>) touch the certificate and the key separately, so every
/// event restarts a short quiet period and the callback runs when it ends. Kubernetes secret
/// volumes swap a <c>..data</c> symlink instead of writing the files, which is watched too.
/// File systems that report nothing (some network and container mounts) are covered by a slow
/// poll; the callback compares contents, so a spurious call costs one read of three small files.
/// </summary>
internal sealed class TlsFileWatcher : IDisposable
{
    /// <summary>Quiet period after the last change before the files are reloaded.</summary>
    public static readonly TimeSpan DefaultDebounce = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the files are checked even without a change notification.</summary>
    public static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(60);

    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Timer _timer;
    private readonly TimeSpan _debounce;
    private readonly TimeSpan _poll;
    private readonly Action _onChanged;
    private int _disposed;
    private int _pending;

    /// <summary>Starts watching <paramref name="files"/>; <paramref name="onChanged"/> runs on a pool thread.</summary>
    public TlsFileWatcher(IEnumerable<string> files, Action onChanged, TimeSpan? debounce = null, TimeSpan? poll = null)
    {
        _onChanged = onChanged;
        _debounce = debounce ?? DefaultDebounce;
        _poll = poll ?? DefaultPollInterval;
        _timer = new Timer(_ => Fire(), null, _poll, Timeout.InfiniteTimeSpan);
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var full = Path.GetFullPath(file);
            _names.Add(Path.GetFileName(full));
            directories.Add(Path.GetDirectoryName(full)!);
        }
        foreach (var directory in directories)
        {
            var watcher = new FileSystemWatcher(directory)
            {
                IncludeSubdirectories = false,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            watcher.Changed += OnEvent;
            watcher.Created += OnEvent;
            watcher.Deleted += OnEvent;
            watcher.Renamed += OnRenamed;
            watcher.Error += (_, _) => Schedule();
            watcher.EnableRaisingEvents = true;
            _watchers.Add(watcher);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var watcher in _watchers)
        {
            watcher.EnableRaisingEvents = false;
            watcher.Dispose();
        }
        _timer.Dispose();
    }

    private void OnEvent(object sender, FileSystemEventArgs e)
    {
        if (IsOurs(e.Name))
        {
            Schedule();
        }
    }

    private void OnRenamed(object sender, RenamedEventArgs e)
    {
        if (IsOurs(e.Name) || IsOurs(e.OldName))
        {
            Schedule();
        }
    }

    private bool IsOurs(string? name) =>
        name is not null && (_names.Contains(name) || name.StartsWith("..", StringComparison.Ordinal));

    private void Schedule()
    {
        Volatile.Write(ref _pending, 1);
        Rearm(_debounce);
    }

    private void Fire()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        Volatile.Write(ref _pending, 0);
        try
        {
            _onChanged();
        }
        finally
        {
            // A change reported while the callback ran gets its own quiet period.
            Rearm(Volatile.Read(ref _pending) != 0 ? _debounce : _poll);
        }
    }

    private void Rearm(TimeSpan due)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }
        try
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
