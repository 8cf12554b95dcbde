using System.Collections.Concurrent;
using System.Net.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Core.Security.Tls;

/// <summary>
/// The server's <see cref="ITlsStore"/>: named TLS sets loaded from PEM files (RSA or ECDSA
/// keys, the chain after the certificate in its file, a CA bundle), each swapped atomically
/// when a reload installs new options or, with <c>watch: true</c>, when its files change.
/// </summary>
/// <remarks>
/// A set is an immutable snapshot; readers take the current one without locking, so a
/// handshake that already started finishes with the certificate it began with and the next
/// one gets the replacement. A replacement is loaded and checked completely (files readable,
/// key matching the certificate, certificate not expired) before it is swapped in; when it
/// fails the old set stays in force.
/// </remarks>
public sealed class TlsStore : ITlsStore, IDisposable
{
    /// <summary>The set of the client port (<c>tls {}</c> and the <c>--tls*</c> flags).</summary>
    public const string ClientSet = "client";

    /// <summary>The set of routes (<c>cluster { tls {} }</c>).</summary>
    public const string ClusterSet = "cluster";

    private readonly ConcurrentDictionary<string, Entry> _sets = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly ILogger _log;
    private readonly TimeSpan? _watchDebounce;
    private volatile OcspOptions _ocsp = OcspOptions.Default;
    private int _disposed;

    /// <summary>Creates an empty store.</summary>
    public TlsStore(ILogger? logger = null)
        : this(logger, null)
    {
    }

    internal TlsStore(ILogger? logger, TimeSpan? watchDebounce)
    {
        _log = logger ?? NullLogger.Instance;
        _watchDebounce = watchDebounce;
    }

    /// <inheritdoc />
    public event Action<string>? Changed;

    /// <summary>The server-wide <c>ocsp</c> setting; applies to sets installed after it is set.</summary>
    public OcspOptions Ocsp
    {
        get => _ocsp;
        set => _ocsp = value ?? OcspOptions.Default;
    }

    /// <summary>The names of the installed sets.</summary>
    public IReadOnlyCollection<string> Names => (IReadOnlyCollection<string>)_sets.Keys;

    /// <inheritdoc />
    public void Set(string name, TlsOptions? options)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (options is null)
        {
            Entry? removed;
            lock (_gate)
            {
                _sets.TryRemove(name, out removed);
            }
            if (removed is not null)
            {
                removed.Watcher?.Dispose();
                Logging.TlsLog.TurnedOff(_log, name);
                Changed?.Invoke(name);
            }
            return;
        }
        var credentials = TlsCredentials.Load(options, _ocsp, forValidation: false);
        Entry? previous;
        lock (_gate)
        {
            _sets.TryGetValue(name, out previous);
            var watcher = options.Watch ? StartWatching(name, options) : null;
            _sets[name] = new Entry(credentials, watcher);
        }
        previous?.Watcher?.Dispose();
        LogInstalled(name, credentials, previous is null ? "loaded" : "replaced");
        Changed?.Invoke(name);
    }

    /// <inheritdoc />
    public TlsOptions? Get(string name) => Find(name)?.Options;

    /// <inheritdoc />
    public void Validate(TlsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        TlsCredentials.Load(options, _ocsp, forValidation: true);
    }

    /// <inheritdoc />
    public SslServerAuthenticationOptions? GetServerOptions(string name) => Find(name)?.CreateServerOptions();

    /// <inheritdoc />
    public SslClientAuthenticationOptions? GetClientOptions(string name, string targetHost) =>
        Find(name)?.CreateClientOptions(targetHost);

    /// <summary>
    /// True when <paramref name="options"/> are what is installed under <paramref name="name"/>
    /// and the files have not changed since they were loaded: a reload then has nothing to do.
    /// </summary>
    public bool IsCurrent(string name, TlsOptions? options)
    {
        var current = Find(name);
        if (options is null || current is null)
        {
            return options is null && current is null;
        }
        return current.Options.Equals(options) && current.Stamp == TlsFileStamp.Compute(options);
    }

    /// <summary>
    /// A reload's second look at the files of every set except <paramref name="skip"/> (whose
    /// owners compare them on their own), as nats-server loads every certificate again on a
    /// reload: the sets whose files changed since they were loaded are loaded now, and the
    /// returned action swaps them in. Loading happens here, outside the swap, so a set whose new
    /// files cannot be used is reported in <paramref name="failed"/> and keeps its certificate.
    /// </summary>
    internal Action PrepareFileReload(IReadOnlySet<string> skip, ICollection<(string Name, string Reason)> failed)
    {
        var fresh = new List<(string Name, Entry Was, TlsCredentials Now)>();
        foreach (var (name, entry) in _sets)
        {
            if (skip.Contains(name) || TlsFileStamp.Compute(entry.Credentials.Options) == entry.Credentials.Stamp)
            {
                continue;
            }
            try
            {
                fresh.Add((name, entry, TlsCredentials.Load(entry.Credentials.Options, _ocsp, forValidation: false)));
            }
            catch (ConfigException ex)
            {
                failed.Add((name, ex.Reason));
            }
        }
        return () =>
        {
            foreach (var (name, was, now) in fresh)
            {
                lock (_gate)
                {
                    // Replaced or removed since (a plugin's own reload or a watch): theirs stands.
                    if (!_sets.TryGetValue(name, out var entry) || !ReferenceEquals(entry, was))
                    {
                        continue;
                    }
                    _sets[name] = new Entry(now, entry.Watcher);
                }
                LogInstalled(name, now, "reloaded from changed files");
                Changed?.Invoke(name);
            }
        };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        lock (_gate)
        {
            foreach (var entry in _sets.Values)
            {
                entry.Watcher?.Dispose();
            }
        }
    }

    /// <summary>The set in force under <paramref name="name"/>.</summary>
    internal TlsCredentials? Find(string name) => _sets.TryGetValue(name, out var entry) ? entry.Credentials : null;

    private TlsFileWatcher StartWatching(string name, TlsOptions options)
    {
        string?[] files = [options.CertFile, options.KeyFile, options.CaFile];
        return new TlsFileWatcher(files.Where(f => !string.IsNullOrEmpty(f))!, () => OnFilesChanged(name), _watchDebounce);
    }

    // Called by a watcher (on a pool thread) after its files changed and settled.
    private void OnFilesChanged(string name)
    {
        TlsCredentials fresh;
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0 || !_sets.TryGetValue(name, out var entry) || !entry.Credentials.Options.Watch)
            {
                return;
            }
            var options = entry.Credentials.Options;
            var stamp = TlsFileStamp.Compute(options);
            if (stamp == entry.Credentials.Stamp || stamp == entry.FailedStamp)
            {
                return;
            }
            try
            {
                fresh = TlsCredentials.Load(options, _ocsp, forValidation: false);
            }
            catch (ConfigException ex)
            {
                // Remembered so one bad file is reported once, not on every poll.
                entry.FailedStamp = stamp;
                Logging.TlsLog.ChangedFilesUnusable(_log, name, ex.Reason);
                return;
            }
            _sets[name] = new Entry(fresh, entry.Watcher);
        }
        LogInstalled(name, fresh, "reloaded from changed files");
        Changed?.Invoke(name);
    }

    private void LogInstalled(string name, TlsCredentials credentials, string what)
    {
        if (credentials.Certificate is { } certificate)
        {
            Logging.TlsLog.Installed(_log, name, what, certificate.Subject, certificate.SerialNumber, certificate.NotAfter.ToUniversalTime(),
                credentials.Stapling ? ", OCSP stapled" : "");
        }
        foreach (var warning in credentials.Warnings)
        {
            Logging.TlsLog.CertificateWarning(_log, name, warning);
        }
    }

    private sealed class Entry(TlsCredentials credentials, TlsFileWatcher? watcher)
    {
        public TlsCredentials Credentials { get; } = credentials;

        public TlsFileWatcher? Watcher { get; } = watcher;

        /// <summary>Contents a watch already failed to load (guarded by the store's lock).</summary>
        public string? FailedStamp { get; set; }
    }
}
