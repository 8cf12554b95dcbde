using Nats.AuthJwt.Auth;
using Nats.AuthJwt.Jwt;
using Nats.AuthJwt.Jwt.Claims;
using Nats.AuthJwt.Jwt.Model;
using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Subjects;

namespace Nats.AuthJwt.Accounts;

/// <summary>
/// An account JWT as the kernel's <see cref="AccountConfig"/> (nats-server's <c>UpdateAccountClaims</c>,
/// the parts the kernel acts on): the account is named by its public key; exports, imports,
/// limits and default permissions come from the claims. Pure.
/// </summary>
/// <remarks>
/// A token-required (private) export admits the accounts that import it with a valid activation
/// token among the known accounts: the kernel checks importers against the export's
/// account list, so the activations, which live in the importers' JWTs, are turned into that list.
/// Subject mappings go to the kernel's mappings (nats-server's <c>AddWeightedMappings</c> with
/// jwt's <c>GetWeight</c>: 0 means 100); JetStream limits become
/// <see cref="AccountConfig.JetStream"/>, which the JetStream plugin acts on.
/// </remarks>
public static class AccountConfigMapper
{
    // An account list no account matches: a private export nobody holds a valid token for.
    // (An empty list would make the export public.)
    private const string NoImporter = "";

    /// <summary>The definition of <paramref name="account"/>.</summary>
    /// <param name="account">Verified account claims.</param>
    /// <param name="known">The other accounts' claims (for activation tokens of private exports).</param>
    /// <param name="now">For activation expiry.</param>
    public static AccountConfig Map(AccountClaims account, IEnumerable<AccountClaims> known, DateTimeOffset now)
    {
        var nats = account.Nats;
        var defaults = nats.DefaultPermissions;
        return new AccountConfig
        {
            Name = account.Subject!,
            Exports = [.. (nats.Exports ?? []).Where(e => !string.IsNullOrEmpty(e.Subject)).Select(e => Export(account, e, known, now))],
            Imports = [.. (nats.Imports ?? []).Where(i => !string.IsNullOrEmpty(i.Account) && !string.IsNullOrEmpty(i.Subject)).Select(Import)],
            Limits = new AccountLimits
            {
                MaxConnections = nats.Limits.Conn,
                MaxLeafNodeConnections = nats.Limits.LeafNodeConn,
                MaxSubscriptions = nats.Limits.Subs,
                MaxPayload = nats.Limits.Payload,
                MaxData = nats.Limits.Data,
            },
            DefaultPermissions = JwtPermissions.Build(defaults.Pub, defaults.Sub, defaults.Resp),
            Mappings = [.. (nats.Mappings ?? []).Select(Mapping)],
            JetStream = JetStream(nats.Limits),
            JwtStatus = new AccountClaimsStatus(account),
        };
    }

    /// <summary>
    /// nats-server's <c>jsLimits</c> from the claims (<c>updateAccountClaimsWithRefresh</c>): the plain
    /// limits when memory or disk storage is non-zero, else the tiers'; null (JetStream off) without
    /// either. A server without a cluster only runs R1 streams, so of the tiers it takes <c>R1</c>;
    /// tiers without one enable JetStream with no storage (nats-server then finds no applicable tier).
    /// </summary>
    private static AccountJetStreamLimits? JetStream(OperatorLimits limits)
    {
        if (limits.MemoryStorage != 0 || limits.DiskStorage != 0)
        {
            return Limits(limits.JetStream);
        }
        if (limits.TieredLimits is not { Count: > 0 } tiers)
        {
            return null;
        }
        return tiers.TryGetValue("R1", out var r1) ? Limits(r1) : new AccountJetStreamLimits(0, 0, 0, 0);
    }

    private static AccountJetStreamLimits Limits(JetStreamLimits l) => new(l.MemoryStorage, l.DiskStorage, l.Streams, l.Consumer);

    private static MappingConfig Mapping(KeyValuePair<string, List<WeightedMapping>> mapping) => new()
    {
        Source = mapping.Key,
        Destinations = [.. mapping.Value.Select(d => new MappingDestinationConfig
        {
            Subject = d.Subject,
            Weight = d.EffectiveWeight,
            Cluster = string.IsNullOrEmpty(d.Cluster) ? null : d.Cluster,
        })],
    };

    /// <summary>True when <paramref name="account"/> has a private export, whose importers change with other accounts.</summary>
    public static bool HasPrivateExports(AccountClaims account) => account.Nats.Exports?.Any(e => e.TokenRequired) == true;

    private static ExportConfig Export(AccountClaims exporter, Export export, IEnumerable<AccountClaims> known, DateTimeOffset now)
    {
        var config = new ExportConfig
        {
            Kind = export.Type == ExportType.Service ? ExportKind.Service : ExportKind.Stream,
            Subject = export.Subject!,
            ResponseType = string.IsNullOrEmpty(export.ResponseType) ? "Singleton" : export.ResponseType,
            TokenRequired = export.TokenRequired,
            RevokedActivations = AccountClaimsStatus.Times(export.Revocations),
        };
        if (export.TokenRequired)
        {
            config.Accounts = [.. known.Where(importer => importer.Subject != exporter.Subject && HoldsActivation(importer, exporter, export, now))
                .Select(importer => importer.Subject!)];
            if (config.Accounts.Count == 0)
            {
                config.Accounts = [NoImporter];
            }
        }
        return config;
    }

    // nats-server's import handling in UpdateAccountClaims: LocalSubject maps the import; without
    // it a stream's "to" is a prefix and a service's "to" is the exporter's subject.
    private static ImportConfig Import(Import import)
    {
        if (import.Type == ExportType.Service)
        {
            if (!string.IsNullOrEmpty(import.LocalSubject))
            {
                return new ImportConfig { Kind = ExportKind.Service, Account = import.Account!, Subject = import.Subject!, To = import.LocalSubject };
            }
            return string.IsNullOrEmpty(import.To)
                ? new ImportConfig { Kind = ExportKind.Service, Account = import.Account!, Subject = import.Subject! }
                : new ImportConfig { Kind = ExportKind.Service, Account = import.Account!, Subject = import.To, To = import.Subject };
        }
        if (!string.IsNullOrEmpty(import.LocalSubject))
        {
            return new ImportConfig { Kind = ExportKind.Stream, Account = import.Account!, Subject = import.Subject!, To = import.LocalSubject };
        }
        return new ImportConfig
        {
            Kind = ExportKind.Stream, Account = import.Account!, Subject = import.Subject!,
            Prefix = string.IsNullOrEmpty(import.To) ? null : import.To,
        };
    }

    /// <summary>
    /// nats-server's <c>checkActivation</c> for one importer: an import of <paramref name="export"/>
    /// whose token decodes, was issued by the exporter (or one of its signing keys) for the
    /// importer, covers the import's subject, is not expired and not revoked by the export.
    /// </summary>
    private static bool HoldsActivation(AccountClaims importer, AccountClaims exporter, Export export, DateTimeOffset now)
    {
        foreach (var import in importer.Nats.Imports ?? [])
        {
            if (import.Account != exporter.Subject || string.IsNullOrEmpty(import.Token) || import.Type != export.Type)
            {
                continue;
            }
            var remoteSubject = import.Type == ExportType.Service && string.IsNullOrEmpty(import.LocalSubject) && !string.IsNullOrEmpty(import.To)
                ? import.To
                : import.Subject!;
            if (!SubjectMatcher.IsSubsetMatch(remoteSubject, export.Subject!))
            {
                continue;
            }
            ActivationClaims activation;
            try
            {
                activation = JwtCodec.DecodeActivationClaims(import.Token);
            }
            catch (JwtException)
            {
                continue;
            }
            var vr = new ValidationResults();
            activation.Validate(vr, now);
            var issuerOk = activation.Issuer == exporter.Subject
                || (activation.Nats.IssuerAccount == exporter.Subject && exporter.Nats.SigningKeys?.ContainsKey(activation.Issuer ?? "") == true);
            if (vr.IsBlocking(includeTimeChecks: true) || !issuerOk || activation.Subject != importer.Subject
                || string.IsNullOrEmpty(activation.Nats.ImportSubject) || !SubjectMatcher.IsSubsetMatch(remoteSubject, activation.Nats.ImportSubject))
            {
                continue;
            }
            if (export.Revocations?.IsRevoked(importer.Subject!, activation.IssuedAt) == true)
            {
                continue;
            }
            return true;
        }
        return false;
    }
}
