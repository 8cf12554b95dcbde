namespace Nats.Core.Subjects;

/// <summary>
/// Extra rules a <see cref="SubjectTransform"/> is checked against when it is created, beyond
/// nats-server 2.10's mapping rules (valid subjects, no <c>*</c> in the destination, a <c>&gt;</c> in
/// both or neither, known functions, wildcard indexes in range).
/// </summary>
[Flags]
public enum SubjectTransformRules
{
    /// <summary>Subject mappings and stream <c>subject_transform</c>s: every function allowed, wildcards may be left out.</summary>
    Mapping = 0,

    /// <summary>Only <c>$N</c>/<c>{{wildcard(N)}}</c> (a transform that must be reversible, as an import's).</summary>
    OnlyWildcards = 1,

    /// <summary>Every <c>*</c> of the source must be used in the destination (nats-server 2.9's mapping rule, and imports').</summary>
    EveryWildcard = 2,

    /// <summary>nats-server's strict transform (<c>NewSubjectTransformStrict</c>), for imports.</summary>
    Strict = OnlyWildcards | EveryWildcard,
}
