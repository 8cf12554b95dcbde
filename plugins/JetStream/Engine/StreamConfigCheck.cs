using Nats.Core.Subjects;
using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine;

/// <summary>
/// Validates a stream config and fills its defaults as nats-server's checkStreamCfg does
/// (non-pedantic mode), with the same errors. Returns the config to store.
/// </summary>
public static class StreamConfigCheck
{
    /// <summary>The longest stream name.</summary>
    public const int MaxNameLength = 255;

    /// <summary>The longest description, in bytes.</summary>
    public const int MaxDescriptionLength = 4 * 1024;

    /// <summary>The most metadata, in bytes.</summary>
    public const int MaxMetadataLength = 128 * 1024;

    /// <summary>nats-server's default <c>duplicate_window</c>: 2 minutes, in nanoseconds.</summary>
    public const long DefaultDuplicateWindow = 2 * 60 * 1_000_000_000L;
    private const long HundredMs = 100_000_000L;

    private static JsApiException Invalid(string text) => new(JsErrors.StreamInvalidConfigF.With("err", text));

    /// <summary>Whether a stream or consumer name is valid: not empty, no '.', '*', '>', path separators or whitespace.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.IndexOfAny(['.', '*', '>', '\\', '/', ' ', '\t', '\r', '\n', '\f']) < 0;

    /// <summary><paramref name="config"/> with nats-server's defaults filled in; throws <see cref="Api.JsApiException"/> with its error when the config is invalid.</summary>
    public static StreamConfig Check(StreamConfig config)
    {
        if (!IsValidName(config.Name))
        {
            throw Invalid("stream name is required and can not contain '.', '*', '>', '\\', '/'");
        }
        if (config.Name.Length > MaxNameLength)
        {
            throw Invalid($"stream name is too long, maximum allowed is {MaxNameLength}");
        }
        if (config.Description is { Length: > MaxDescriptionLength })
        {
            throw Invalid($"stream description is too long, maximum allowed is {MaxDescriptionLength}");
        }
        if (config.Metadata is { } metadata && metadata.Sum(kv => kv.Key.Length + kv.Value.Length) > MaxMetadataLength)
        {
            throw Invalid($"stream metadata exceeds maximum size of {MaxMetadataLength} bytes");
        }
        var cfg = Clone(config);
        if (cfg.Replicas == 0)
        {
            cfg.Replicas = 1;
        }
        if (cfg.Replicas > 5)
        {
            throw Invalid("maximum replicas is 5");
        }
        if (cfg.Replicas < 0)
        {
            throw new JsApiException(JsErrors.ReplicasCountCannotBeNegative);
        }
        if (cfg.MaxMsgs == 0 || cfg.MaxMsgs < -1)
        {
            cfg.MaxMsgs = -1;
        }
        if (cfg.MaxMsgsPerSubject == 0 || cfg.MaxMsgsPerSubject < -1)
        {
            cfg.MaxMsgsPerSubject = -1;
        }
        if (cfg.MaxBytes == 0 || cfg.MaxBytes < -1)
        {
            cfg.MaxBytes = -1;
        }
        if (cfg.MaxMsgSize == 0 || cfg.MaxMsgSize < -1)
        {
            cfg.MaxMsgSize = -1;
        }
        if (cfg.MaxConsumers == 0 || cfg.MaxConsumers < -1)
        {
            cfg.MaxConsumers = -1;
        }
        if (cfg.MaxAge < 0)
        {
            throw Invalid("max age can not be negative");
        }
        if (cfg.MaxAge != 0 && cfg.MaxAge < HundredMs)
        {
            throw Invalid("max age needs to be >= 100ms");
        }
        if (cfg.DuplicateWindow == 0 && cfg.Mirror is null && (cfg.Sources is null || cfg.Sources.Count == 0))
        {
            cfg.DuplicateWindow = cfg.MaxAge != 0 && cfg.MaxAge < DefaultDuplicateWindow ? cfg.MaxAge : DefaultDuplicateWindow;
        }
        if (cfg.DuplicateWindow < 0)
        {
            throw Invalid("duplicates window can not be negative");
        }
        if (cfg.MaxAge != 0 && cfg.DuplicateWindow > cfg.MaxAge)
        {
            throw Invalid("duplicates window can not be larger then max age");
        }
        if (cfg.DuplicateWindow > 0 && cfg.DuplicateWindow < HundredMs)
        {
            throw Invalid("duplicates window needs to be >= 100ms");
        }
        if (cfg.DenyPurge && cfg.AllowRollup)
        {
            throw Invalid("roll-ups require the purge permission");
        }
        if (cfg.AllowMsgCounter)
        {
            if (cfg.Discard == Discard.New)
            {
                throw Invalid("counter stream cannot use discard new");
            }
            if (cfg.AllowMsgTtl)
            {
                throw Invalid("counter stream cannot use message TTLs");
            }
            if (cfg.AllowMsgSchedules)
            {
                throw Invalid("counter stream cannot use message schedules");
            }
            if (cfg.Retention != RetentionPolicy.Limits)
            {
                throw Invalid("counter stream can only use limits retention");
            }
        }
        if (cfg.DiscardNewPerSubject)
        {
            if (cfg.Discard != Discard.New)
            {
                throw Invalid("discard new per subject requires discard new policy to be set");
            }
            if (cfg.MaxMsgsPerSubject <= 0)
            {
                throw Invalid("discard new per subject requires max msgs per subject > 0");
            }
        }
        if (cfg.SubjectDeleteMarkerTtl > 0)
        {
            if (cfg.SubjectDeleteMarkerTtl < 1_000_000_000L)
            {
                throw Invalid("subject delete marker TTL must be at least 1 second");
            }
            cfg.AllowMsgTtl = true;
            if (!cfg.AllowRollup)
            {
                cfg.AllowRollup = true;
                cfg.DenyPurge = false;
            }
        }
        else if (cfg.SubjectDeleteMarkerTtl < 0)
        {
            throw Invalid("subject delete marker TTL must not be negative");
        }
        if (cfg.AllowMsgSchedules)
        {
            if (cfg.Discard == Discard.New)
            {
                throw Invalid("message scheduling cannot use discard new");
            }
            if (!cfg.AllowRollup)
            {
                cfg.AllowRollup = true;
                cfg.DenyPurge = false;
            }
        }
        if (cfg.PersistMode == PersistMode.Async && cfg.Storage != Api.Storage.File)
        {
            throw Invalid("async persist mode is only supported on file storage");
        }
        CheckSubjects(cfg);
        return cfg;
    }

    private static void CheckSubjects(StreamConfig cfg)
    {
        if (cfg.Mirror is { } mirror)
        {
            if (cfg.Subjects is { Count: > 0 })
            {
                throw new JsApiException(JsErrors.MirrorWithSubjects);
            }
            if (cfg.Sources is { Count: > 0 })
            {
                throw new JsApiException(JsErrors.MirrorWithSources);
            }
            if (mirror.OptStartSeq > 0 && mirror.OptStartTime is not null)
            {
                throw new JsApiException(JsErrors.MirrorWithStartSeqAndTime);
            }
            if (cfg.FirstSeq > 0)
            {
                throw new JsApiException(JsErrors.MirrorWithFirstSeq);
            }
            if (string.IsNullOrEmpty(mirror.Name) || mirror.Name.AsSpan().IndexOfAny(". *>") >= 0)
            {
                throw new JsApiException(JsErrors.MirrorInvalidStreamName);
            }
            return;
        }
        if ((cfg.Subjects is null || cfg.Subjects.Count == 0) && (cfg.Sources is null || cfg.Sources.Count == 0))
        {
            cfg.Subjects = [cfg.Name];
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var subject in cfg.Subjects ?? [])
        {
            if (!seen.Add(subject))
            {
                throw Invalid("duplicate subjects detected");
            }
            if (!SubjectMatch.IsValid(subject, allowWildcards: true))
            {
                throw Invalid("invalid subject");
            }
        }
        foreach (var a in seen)
        {
            foreach (var b in seen)
            {
                if (!ReferenceEquals(a, b) && a != b && SubjectMatch.IsSubsetOf(a, b))
                {
                    throw Invalid($"subject {a} overlaps with {b}");
                }
            }
        }
        CheckRePublish(cfg);
        CheckSubjectTransform(cfg);
    }

    /// <summary>nats-server 2.10's stream <c>subject_transform</c> checks (an empty source is <c>&gt;</c>, an empty destination no transform).</summary>
    private static void CheckSubjectTransform(StreamConfig cfg)
    {
        if (cfg.SubjectTransform is not { } transform)
        {
            return;
        }
        if (!string.IsNullOrEmpty(transform.Source) && !SubjectMatch.IsValid(transform.Source, allowWildcards: true))
        {
            throw new JsApiException(JsErrors.StreamTransformInvalidSource.With("err", "invalid subject " + transform.Source));
        }
        if (string.IsNullOrEmpty(transform.Destination))
        {
            return;
        }
        // The kernel's transform (the one subject mappings use), with nats-server's error text.
        if (SubjectTransform.TryCreate(SourceOf(transform), transform.Destination, SubjectTransformRules.Mapping, out var error) is null)
        {
            throw new JsApiException(JsErrors.StreamTransformInvalidDestination.With("err", error!));
        }
    }

    /// <summary>A transform's source, <c>&gt;</c> when empty.</summary>
    public static string SourceOf(SubjectTransformConfig transform) => string.IsNullOrEmpty(transform.Source) ? ">" : transform.Source;

    /// <summary>nats-server 2.9's republish checks and texts (an empty source is <c>&gt;</c>).</summary>
    private static void CheckRePublish(StreamConfig cfg)
    {
        if (cfg.RePublish is not { } republish)
        {
            return;
        }
        if (string.IsNullOrEmpty(republish.Source))
        {
            republish.Source = ">";
        }
        var subjects = cfg.Subjects ?? [];
        if (!subjects.Any(s => SubjectMatch.Overlaps(republish.Source, s)))
        {
            throw Invalid("stream configuration for republish source is not valid subset of subjects");
        }
        if (subjects.Any(s => SubjectMatch.Overlaps(republish.Destination, s)))
        {
            throw Invalid("stream configuration for republish destination forms a cycle");
        }
        // nats-server 2.9 built republish transforms with every source wildcard used.
        if (SubjectTransform.TryCreate(republish.Source, republish.Destination, SubjectTransformRules.EveryWildcard, out _) is null)
        {
            throw Invalid("stream configuration for republish not valid");
        }
    }

    /// <summary>A deep copy through the JSON model (configs are small and copied rarely).</summary>
    public static StreamConfig Clone(StreamConfig config) =>
        System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(config, JsJsonContext.Default.StreamConfig), JsJsonContext.Default.StreamConfig)!;

    /// <summary>The limits the store enforces for a config.</summary>
    public static StoreLimits ToStoreLimits(StreamConfig cfg) => new()
    {
        MaxMsgs = cfg.MaxMsgs,
        MaxBytes = cfg.MaxBytes,
        MaxAge = TimeSpan.FromTicks(cfg.MaxAge / 100),
        MaxMsgsPerSubject = cfg.MaxMsgsPerSubject,
        MaxMsgSize = cfg.MaxMsgSize,
        Discard = cfg.Discard == Discard.New ? DiscardPolicy.New : DiscardPolicy.Old,
        DiscardNewPerSubject = cfg.DiscardNewPerSubject,
        FirstSeq = cfg.FirstSeq,
    };
}
