using Microsoft.Extensions.Logging;
using Nats.AuthJwt.Accounts;
using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Callout;
using Nats.AuthJwt.Config;
using Nats.AuthJwt.Logging;
using Nats.AuthJwt.Resolvers;
using Nats.AuthJwt.SystemAccount;
using Nats.Core;
using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.AuthJwt.Plugin;

/// <summary>
/// nats-server's operator mode as a plugin: owns <c>operator</c>, <c>trusted_keys</c>,
/// <c>resolver</c>, <c>resolver_preload</c> and their kin (see plugin.toml), and when they are set
/// installs the JWT authenticator, the account resolver behind the kernel's resolver hook and the
/// <c>$SYS</c> claims requests. Without them it stays idle (registering an authenticator would make
/// every client authenticate).
/// </summary>
/// <remarks>
/// Ordered first among the stock plugins, so that accounts resolve and JWT users authenticate
/// before other plugins start. Configure and the lifecycle calls run on the host's start-up thread.
/// </remarks>
[ServerPlugin("auth-jwt", Order = 10)]
public sealed class AuthJwtPlugin : IServerPlugin
{
    private IServerContext? _context;
    private ILogger _logger = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    private OperatorModeSections? _sections;
    private OperatorModeOptions _options = OperatorModeOptions.None;
    private JwtAccountResolver? _accounts;
    private ClaimsRequests? _requests;
    private ClusterJwtSync? _sync;
    private CalloutAuthenticator? _callout;
    private IDisposable? _ownedSource;
    // The directory store's expiry timer (full and cache resolvers); set by StartAsync.
    private StoreExpiry? _expiry;
    private JwtVerificationWorker? _verification;
    private OperatorCallout? _operatorCallout;

    /// <summary>The accounts of operator mode; null when the plugin is idle.</summary>
    public JwtAccountResolver? Accounts => _accounts;

    /// <summary>The threads user JWTs are verified on, off the I/O threads; null when the plugin is idle.</summary>
    public JwtVerificationWorker? Verification => _verification;

    /// <inheritdoc />
    public void Configure(IServerContext context)
    {
        _context = context;
        _logger = context.Logging.CreateLogger("auth-jwt");
        context.Monitoring.AddJsonTypes(SystemAccount.AuthJwtSystemJsonContext.Default);
        _sections = new OperatorModeSections(context.Config, new PreloadReloadHook(this));
        _options = _sections.Read();
        var callout = ReadCallout(context.Config);
        if (!_options.IsOperatorMode)
        {
            if (_sections.AnySet)
            {
                AuthJwtLog.ResolverSettingsIgnored(_logger);
            }
            if (callout is not null)
            {
                ConfigureCallout(context, callout);
            }
            return;
        }
        var server = context.Server;
        var auth = server.Options.Auth;
        var systemAccount = context.Accounts.System?.Name;
        var configuredSystemAccount = systemAccount == "$SYS" ? null : systemAccount;
        var errors = _options.Validate(configuredSystemAccount,
            hasConfiguredAccounts: auth.Accounts.Any(a => a.Name != systemAccount && a.Name != Nats.Core.Accounts.AccountRegistry.GlobalAccountName),
            hasConfiguredUsers: auth.Users.Count > 0 || auth.NKeys.Count > 0 || auth.Username is not null,
            hasAuthCallout: callout is not null,
            ParseVersion(ServerVersion.CompatibleNatsVersion));
        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors[0]);
        }
        if (_options.OperatorSystemAccount is { } operatorSystem && configuredSystemAccount is null && systemAccount is not null)
        {
            // nats-server takes the operator's system account when the config names none.
            server.UseSystemAccount(operatorSystem);
        }
        var trust = _options.Trust();
        var source = CreateSource(_options);
        _ownedSource = source as IDisposable;
        _accounts = new JwtAccountResolver(source, trust, server, _logger);
        context.Accounts.AddAccountResolver(_accounts);
        var pinned = _options.PinnedAccounts is { } list ? new HashSet<string>(list, StringComparer.Ordinal) : null;
        _verification = new JwtVerificationWorker(JwtVerificationWorker.DefaultWorkerThreads);
        _operatorCallout = new OperatorCallout(server, _accounts, account => context.Connect(account), _logger);
        context.AddAuthenticator(new JwtAuthenticator(new UserJwtCheck(trust, _accounts, pinned, _verification), _logger, _operatorCallout));
        AuthJwtLog.TrustedOperators(_logger, string.Join(", ", trust.Operators.Select(o => $"{o.Name} ({o.Subject})")));
    }

    /// <summary>
    /// <c>authorization { auth_callout }</c> (alias <c>auth_hook</c>), which the kernel hands over
    /// under its dotted name; no reload hook: changing it needs a restart.
    /// </summary>
    private static AuthCalloutOptions? ReadCallout(IConfigBus config)
    {
        var value = config.Bind("authorization.auth_callout", v => new RawSetting("authorization.auth_callout", v)).Current.Value
            ?? config.Bind("authorization.auth_hook", v => new RawSetting("authorization.auth_hook", v)).Current.Value;
        return value is null ? null : AuthCalloutOptions.Parse(value);
    }

    private void ConfigureCallout(IServerContext context, AuthCalloutOptions options)
    {
        if (context.Accounts.Find(options.Account) is null)
        {
            throw new ConfigurationException($"no valid account \"{options.Account}\" for auth callout");
        }
        _callout = new CalloutAuthenticator(options, context.Server, _logger);
        context.AddAuthenticator(_callout);
        AuthJwtLog.CalloutConfigured(_logger, options.Account, options.Issuer, options.XKey is null ? "" : ", sealed to " + options.XKey);
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_context is not null && _callout is not null)
        {
            _callout.Connection = _context.Connect(_context.Accounts.Find(_callout.Account));
        }
        if (_context is null || _accounts is null)
        {
            return Task.CompletedTask;
        }
        if (_accounts.Source is DirectoryAccountJwtSource directory)
        {
            // nats-server stores the preload in the directory (when newer than what it holds).
            foreach (var (key, jwt) in _options.Preload)
            {
                directory.Store.SaveIfNewer(key, jwt);
            }
            AuthJwtLog.ManagingDirectory(_logger, directory.Store.DirectoryPath);
            _expiry = new StoreExpiry(directory.Store, _logger);
        }
        if (_context.SystemServices.Account is { } system)
        {
            _requests = ClaimsRequests.Start(_context.Connect(system), _context.SystemServices, _accounts, _logger);
            if (_accounts.Source is DirectoryAccountJwtSource dir)
            {
                _sync = new ClusterJwtSync(_context.Connect(system), dir.Store, _context.Server, _logger,
                    dir.Options.IsCache ? TimeSpan.Zero : dir.Options.SyncInterval, dir.Options.FetchTimeout);
                dir.RemoteLookup = _sync.LookupAsync;
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_sync is not null)
        {
            await _sync.DisposeAsync().ConfigureAwait(false);
        }
        if (_requests is not null)
        {
            await _requests.DisposeAsync().ConfigureAwait(false);
        }
        if (_callout?.Connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        _callout?.Dispose();
        if (_operatorCallout is not null)
        {
            await _operatorCallout.DisposeAsync().ConfigureAwait(false);
        }
        _expiry?.Dispose();
        _ownedSource?.Dispose();
        _verification?.Dispose();
        _accounts?.Dispose();
    }

    private static IAccountJwtSource CreateSource(OperatorModeOptions options) => options.Resolver switch
    {
        MemoryResolverOptions => new MemoryAccountResolver(options.Preload),
        UrlResolverOptions url => new UrlAccountResolver(url.Url, UrlResolverOptions.DefaultTimeout),
        DirectoryResolverOptions dir => new DirectoryAccountJwtSource(DirectoryJwtStore.Open(dir), dir),
        _ => throw new ConfigurationException("operators require an account resolver to be configured"),
    };

    private static (int, int, int) ParseVersion(string version)
    {
        var parts = version.Split('.').Select(p => int.TryParse(p, out var n) ? n : 0).Concat([0, 0, 0]).ToArray();
        return (parts[0], parts[1], parts[2]);
    }

    /// <summary>
    /// <c>resolver_preload</c> on reload: the new preload must parse; a memory resolver takes its
    /// JWTs and accounts in use are updated (nats-server reloads the preload the same way).
    /// </summary>
    private sealed class PreloadReloadHook(AuthJwtPlugin plugin) : IReloadHook<RawSetting>
    {
        public void Validate(RawSetting current, RawSetting proposed, ReloadValidation validation)
        {
            try
            {
                plugin._sections!.ReadWith(proposed);
                validation.Changed("resolver_preload");
            }
            catch (ConfigException e)
            {
                validation.Reject("resolver_preload", e.Message);
            }
        }

        public void Apply(RawSetting current, RawSetting proposed)
        {
            var options = plugin._sections!.ReadWith(proposed);
            plugin._options = options;
            if (plugin._accounts is not { } accounts)
            {
                return;
            }
            foreach (var (key, jwt) in options.Preload)
            {
                if (accounts.Source is MemoryAccountResolver memory)
                {
                    memory.StoreAsync(key, jwt, CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
                try
                {
                    accounts.Apply(jwt, key);
                }
                catch (AccountResolverException e)
                {
                    AuthJwtLog.PreloadNotUpdated(plugin._logger, key, e.Message);
                }
            }
        }
    }
}
