using Nats.Core.Subjects;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// A mirror's or source's <c>filter_subject</c> or <c>subject_transforms</c> (nats-server 2.10):
/// what is taken from the origin (the filter, or every transform's source) and the subject it is
/// stored under (the first transform whose source matches; an empty destination keeps the
/// subject). <see cref="Check"/> is nats-server's <c>checkStreamCfg</c> for them. Immutable.
/// </summary>
internal sealed class OriginTransforms
{
    private readonly (SubjectFilter Source, SubjectTransform? Transform)[] _transforms;

    public OriginTransforms(StreamSource source)
    {
        var transforms = source.SubjectTransforms ?? [];
        _transforms = [.. transforms.Select(t => (SubjectFilter.Of(StreamConfigCheck.SourceOf(t)),
            string.IsNullOrEmpty(t.Destination) ? null : SubjectTransform.TryCreate(StreamConfigCheck.SourceOf(t), t.Destination, SubjectTransformRules.Mapping, out _)))];
        Filter = transforms.Count > 0
            ? (transforms.Any(t => StreamConfigCheck.SourceOf(t) == ">") ? SubjectFilter.All : new SubjectFilter([.. transforms.Select(StreamConfigCheck.SourceOf)]))
            : SubjectFilter.Of(string.IsNullOrEmpty(source.FilterSubject) ? null : source.FilterSubject);
    }

    /// <summary>The origin's messages this link takes.</summary>
    public SubjectFilter Filter { get; }

    /// <summary>The subject a message of the origin is stored under.</summary>
    public string Map(string subject)
    {
        foreach (var (source, transform) in _transforms)
        {
            if (source.Matches(subject))
            {
                return transform?.Match(subject) ?? subject;
            }
        }
        return subject;
    }

    /// <summary>nats-server's checks of a mirror's (<paramref name="mirror"/>) or a source's filter and transforms, and of its <c>external</c> prefixes.</summary>
    public static void Check(StreamSource source, bool mirror)
    {
        if (source.External is { } external)
        {
            CheckExternal(external);
        }
        if (source.SubjectTransforms is not { Count: > 0 } transforms)
        {
            return;
        }
        if (!string.IsNullOrEmpty(source.FilterSubject))
        {
            throw new JsApiException(mirror ? JsErrors.MirrorMultipleFiltersNotAllowed : JsErrors.SourceMultipleFiltersNotAllowed);
        }
        var sources = new List<string>();
        foreach (var t in transforms)
        {
            var src = StreamConfigCheck.SourceOf(t);
            if (!SubjectMatch.IsValid(src, allowWildcards: true))
            {
                throw new JsApiException((mirror ? JsErrors.MirrorInvalidSubjectFilter : JsErrors.SourceInvalidSubjectFilter).With("err", "invalid subject " + src));
            }
            if (sources.Any(s => SubjectMatch.Overlaps(s, src)))
            {
                throw new JsApiException(mirror ? JsErrors.MirrorOverlappingSubjectFilters : JsErrors.SourceOverlappingSubjectFilters);
            }
            sources.Add(src);
            if (!string.IsNullOrEmpty(t.Destination) && SubjectTransform.TryCreate(src, t.Destination, SubjectTransformRules.Mapping, out var error) is null)
            {
                throw new JsApiException((mirror ? JsErrors.MirrorInvalidTransformDestination : JsErrors.SourceInvalidTransformDestination).With("err", error!));
            }
        }
    }

    /// <summary>nats-server's checks of <c>external</c>: an API prefix is a subject without wildcards, a delivery prefix too (10024).</summary>
    private static void CheckExternal(ExternalStream external)
    {
        if (string.IsNullOrEmpty(external.Api) || !SubjectMatch.IsValid(external.Api, allowWildcards: false))
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", $"stream external api prefix {external.Api} is not a valid subject"));
        }
        if (!string.IsNullOrEmpty(external.Deliver) && !SubjectMatch.IsValid(external.Deliver, allowWildcards: false))
        {
            throw new JsApiException(JsErrors.StreamInvalidExternalDeliverySubj.With("prefix", external.Deliver));
        }
    }
}
