using Microsoft.Extensions.Logging;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Plugins;
using Nats.Core.Security;
using Nats.Core.Subjects;

namespace Nats.JetStream.Server;

/// <summary>
/// nats-server's <c>default_js_domain { ACCOUNT: domain }</c>: the accounts whose plain JetStream
/// requests (<c>$JS.API.…</c>, <c>$KV.…</c>, <c>$OBJ.…</c>) go to another domain, typically a leaf
/// without JetStream of its own whose clients use the hub's without naming its domain. Parsed and
/// checked as <c>parseOptions</c>/<c>validateJetStreamOptions</c>; applied to each account as it is
/// registered (<c>registerAccount</c>: the reversed domain mapping table), whether or not JetStream
/// runs here; published to the kernel for the leaf links' denies (an empty domain keeps the
/// account's <c>$JS.API.&gt;</c> crossing its links, for old setups without domains).
/// </summary>
internal sealed record DefaultJsDomains(IReadOnlyDictionary<string, string> Domains, ConfPosition? Position)
{
    public static readonly DefaultJsDomains None = new(new Dictionary<string, string>(), null);

    public static DefaultJsDomains Parse(ConfValue? value)
    {
        if (value is null)
        {
            return None;
        }
        if (value is not ConfMap map)
        {
            throw new ConfigException(value.Position, $"error default_js_domain config: unsupported type {value.Kind}");
        }
        var domains = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in map)
        {
            domains[entry.Key] = entry.Value.AsString();
        }
        return new DefaultJsDomains(domains, value.Position);
    }

    /// <summary>
    /// nats-server's checks: the system account cannot be listed, a domain must make a valid
    /// subject, and outside operator mode (names that are not account public keys) the account
    /// must exist and not run JetStream itself when it is sent elsewhere.
    /// </summary>
    public void Validate(AccountRegistry accounts, Func<string, bool> jetStreamConfigured)
    {
        foreach (var (name, domain) in Domains)
        {
            if (!NKeys.IsValidPublicAccountKey(name) && name != AccountRegistry.GlobalAccountName)
            {
                if (accounts.Find(name) is null)
                {
                    throw new ConfigException(Position!.Value, $"in non operator mode, `default_js_domain` references non existing account \"{name}\"");
                }
                if (domain.Length > 0 && jetStreamConfigured(name))
                {
                    throw new ConfigException(Position!.Value, $"default_js_domain contains account name \"{name}\" with enabled JetStream");
                }
            }
            if (accounts.System is { } system && system.Name == name)
            {
                throw new ConfigException(Position!.Value, $"system account \"{name}\" can not be in default_js_domain");
            }
            if (domain.Length > 0 && !SubjectValidator.IsValidSubject($"$JS.{domain}.API.>"))
            {
                throw new ConfigException(Position!.Value, $"default_js_domain contains account \"{name}\" with invalid domain name \"{domain}\"");
            }
        }
    }

    /// <summary>
    /// Publishes the table to the kernel and maps the listed accounts, now and as they are
    /// registered later (a JWT resolver's).
    /// </summary>
    public void Apply(IServerContext context, Func<string, bool> jetStreamConfigured, ILogger logger)
    {
        context.Server.SetJetStreamDefaultDomains(Domains);
        if (Domains.Count == 0)
        {
            return;
        }
        JetStreamLog.DefaultDomainIsTemporary(logger);
        foreach (var account in context.Accounts.All)
        {
            MapAccount(context.Accounts, account, jetStreamConfigured, logger);
        }
        context.Accounts.AccountAdded += e => MapAccount(context.Accounts, e.Account, jetStreamConfigured, logger);
    }

    private void MapAccount(AccountRegistry accounts, Account account, Func<string, bool> jetStreamConfigured, ILogger logger)
    {
        if (!Domains.TryGetValue(account.Name, out var domain))
        {
            return;
        }
        if (jetStreamConfigured(account.Name))
        {
            JetStreamLog.DefaultDomainSkipped(logger, domain, account.Name);
            return;
        }
        if (domain.Length == 0)
        {
            return;
        }
        foreach (var mapping in accounts.AddMappings(account, JetStreamDomainMappings.ToDomain(domain)))
        {
            JetStreamLog.DefaultDomainMapping(logger, mapping.Source, mapping.Destinations[0].Subject, account.Name);
        }
    }
}
