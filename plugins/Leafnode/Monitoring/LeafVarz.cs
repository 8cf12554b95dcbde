using System.Text.Json.Serialization;
using Nats.Leafnode.Config;
using Nats.Leafnode.Links;

namespace Nats.Leafnode.Monitoring;

/// <summary>The <c>leaf</c> block of <c>/varz</c> (nats-server's <c>LeafNodeOptsVarz</c>).</summary>
public sealed class LeafVarz
{
    [JsonPropertyName("host"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Host { get; set; }
    [JsonPropertyName("port"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Port { get; set; }
    [JsonPropertyName("auth_timeout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public double AuthTimeout { get; set; }
    [JsonPropertyName("tls_timeout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public double TlsTimeout { get; set; }
    [JsonPropertyName("tls_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsRequired { get; set; }
    [JsonPropertyName("tls_verify"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsVerify { get; set; }
    [JsonPropertyName("remotes"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<RemoteLeafVarz>? Remotes { get; set; }

    /// <summary>The block for <paramref name="options"/>; empty when no leafnodes are configured.</summary>
    public static object From(LeafnodeOptions options, LeafManager? manager)
    {
        var varz = new LeafVarz();
        if (!options.IsEnabled)
        {
            return varz;
        }
        varz.Host = options.Host.Length > 0 ? options.Host : null;
        varz.Port = manager?.Port is > 0 and var port ? port : Math.Max(options.Port, 0);
        varz.AuthTimeout = options.AuthTimeout.TotalSeconds;
        if (options.Tls is { } tls)
        {
            varz.TlsTimeout = tls.Timeout.TotalSeconds;
            varz.TlsRequired = true;
            varz.TlsVerify = tls.Verify;
        }
        if (options.Remotes.Count > 0)
        {
            varz.Remotes = [.. options.Remotes.Select(r => new RemoteLeafVarz
            {
                LocalAccount = r.LocalAccount.Length > 0 ? r.LocalAccount : null,
                TlsTimeout = r.Tls?.Timeout.TotalSeconds ?? 0,
                Urls = [.. r.Urls.Select(u => u.Authority)],
                Deny = r.DenyImports.Count + r.DenyExports.Count == 0 ? null : new DenyRules
                {
                    Exports = r.DenyExports.Count > 0 ? [.. r.DenyExports] : null,
                    Imports = r.DenyImports.Count > 0 ? [.. r.DenyImports] : null,
                },
            })];
        }
        return varz;
    }
}

/// <summary>One remote in <c>/varz</c>'s leaf block.</summary>
public sealed class RemoteLeafVarz
{
    [JsonPropertyName("local_account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? LocalAccount { get; set; }
    [JsonPropertyName("tls_timeout"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public double TlsTimeout { get; set; }
    [JsonPropertyName("urls")] public List<string> Urls { get; set; } = [];
    [JsonPropertyName("deny"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public DenyRules? Deny { get; set; }
}

/// <summary>Subjects a remote does not import or export.</summary>
public sealed class DenyRules
{
    [JsonPropertyName("exports"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Exports { get; set; }
    [JsonPropertyName("imports"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public List<string>? Imports { get; set; }
}
