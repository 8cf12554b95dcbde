namespace Nats.Core.Config;

/// <summary>nats-server's OCSP stapling modes (top-level <c>ocsp</c>).</summary>
public enum OcspMode
{
    /// <summary>Staple only for certificates with the Must-Staple (status_request) feature. The default.</summary>
    Auto,

    /// <summary>Staple for every certificate that names an OCSP responder.</summary>
    Always,

    /// <summary>Never staple, even for Must-Staple certificates.</summary>
    Never,

    /// <summary>As <see cref="Auto"/>; nats-server also shuts down when the staple says revoked.</summary>
    Must,
}

/// <summary>The top-level <c>ocsp</c> setting (<c>ocsp: true|false</c> or <c>ocsp { mode, url, urls }</c>).</summary>
public sealed record OcspOptions
{
    /// <summary>No <c>ocsp</c> setting: <see cref="OcspMode.Auto"/>.</summary>
    public static readonly OcspOptions Default = new();

    /// <summary>The stapling mode.</summary>
    public OcspMode Mode { get; init; } = OcspMode.Auto;

    /// <summary><c>url</c>/<c>urls</c>: responders to use instead of the certificate's (accepted, not applied).</summary>
    public IReadOnlyList<string> OverrideUrls { get; init; } = [];

    /// <inheritdoc />
    public bool Equals(OcspOptions? other) =>
        other is not null && Mode == other.Mode && OverrideUrls.SequenceEqual(other.OverrideUrls);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Mode, OverrideUrls.Count);
}
