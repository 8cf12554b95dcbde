using Nats.JetStream.Api;
using Nats.JetStream.Storage;

namespace Nats.JetStream.Engine.Consumers;

/// <summary>
/// nats-server's setConsumerConfigDefaults and checkConsumerCfg (non-pedantic, one server, no
/// server or account limits beyond the stream's consumer_limits): fills the defaults and refuses
/// a bad config with the same errors and texts.
/// </summary>
public static class ConsumerConfigCheck
{
    /// <summary>nats-server's default <c>max_ack_pending</c>.</summary>
    public const int DefaultMaxAckPending = 1000;

    /// <summary>nats-server's default <c>max_waiting</c> (pull requests waiting).</summary>
    public const int DefaultMaxWaiting = 512;

    /// <summary>nats-server's default <c>ack_wait</c>: 30 s, in nanoseconds.</summary>
    public const long DefaultAckWait = 30_000_000_000L;

    /// <summary>How long an ephemeral consumer lives without interest when it sets no <c>inactive_threshold</c>: 5 s, in nanoseconds.</summary>
    public const long DefaultEphemeralInactiveThreshold = 5_000_000_000L;
    private const long HundredMs = 100_000_000L;

    private static JsApiException Policy(string text) => new(JsErrors.ConsumerInvalidPolicy.With("err", text));

    private static JsApiException Fail(JsError error) => new(error);

    /// <summary>Returns the config to use (a copy with defaults) or throws <see cref="JsApiException"/>.</summary>
    public static ConsumerConfig Check(ConsumerConfig config, StreamConfig stream)
    {
        var cfg = Clone(config);
        SetDefaults(cfg, stream);
        if (cfg.Name is { Length: > 0 } name && !StreamConfigCheck.IsValidName(name))
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "consumer name can not contain '.', '*', '>', '\\', '/'"));
        }
        if (cfg.Durable is { Length: > 0 } durable && !StreamConfigCheck.IsValidName(durable))
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "consumer durable name can not contain '.', '*', '>', '\\', '/'"));
        }
        if (cfg.Replicas > 0 && cfg.Replicas > stream.Replicas)
        {
            throw Fail(JsErrors.ConsumerReplicasExceedsStream);
        }
        if (cfg.Replicas < 0)
        {
            throw Fail(JsErrors.ReplicasCountCannotBeNegative);
        }
        if (cfg.BackOff is { } backoff && backoff.Any(b => b < 0))
        {
            throw Fail(JsErrors.ConsumerBackOffNegative);
        }
        if (cfg.AckWait < 0)
        {
            throw Fail(JsErrors.ConsumerAckWaitNegative);
        }
        if (cfg.BackOff is { Count: > 0 } bo && cfg.MaxDeliver != -1 && bo.Count > cfg.MaxDeliver)
        {
            throw Fail(JsErrors.ConsumerMaxDeliverBackoff);
        }
        if (cfg.Description is { Length: > StreamConfigCheck.MaxDescriptionLength })
        {
            throw Fail(JsErrors.ConsumerDescriptionTooLong.With("max", StreamConfigCheck.MaxDescriptionLength));
        }
        if (!string.IsNullOrEmpty(cfg.DeliverSubject))
        {
            CheckPush(cfg, stream);
        }
        else
        {
            CheckPull(cfg, stream);
        }
        if (stream.ConsumerLimits.MaxAckPending > 0 && cfg.MaxAckPending > stream.ConsumerLimits.MaxAckPending)
        {
            throw Fail(JsErrors.ConsumerMaxPendingAckExcess.With("limit", stream.ConsumerLimits.MaxAckPending));
        }
        if (stream.ConsumerLimits.InactiveThreshold > 0 && cfg.InactiveThreshold > stream.ConsumerLimits.InactiveThreshold)
        {
            throw Fail(JsErrors.ConsumerInactiveThresholdExcess.With("limit", Engine.GoDurationText.Format(stream.ConsumerLimits.InactiveThreshold)));
        }
        if (cfg.Direct)
        {
            if (string.IsNullOrEmpty(cfg.DeliverSubject))
            {
                throw Fail(JsErrors.ConsumerDirectRequiresPush);
            }
            if (!string.IsNullOrEmpty(cfg.Durable))
            {
                throw Fail(JsErrors.ConsumerDirectRequiresEphemeral);
            }
        }
        CheckFilters(cfg);
        CheckStart(cfg);
        if (cfg.SampleFrequency is { Length: > 0 } sample
            && (!int.TryParse(sample.TrimEnd('%'), out var freq) || freq < 0))
        {
            throw Fail(JsErrors.ConsumerInvalidSampling.With("err", $"strconv.Atoi: parsing \"{sample.TrimEnd('%')}\": invalid syntax"));
        }
        if (cfg.FlowControl && cfg.Heartbeat == 0)
        {
            throw Fail(JsErrors.ConsumerWithFlowControlNeedsHeartbeats);
        }
        if (!string.IsNullOrEmpty(cfg.Durable) && !string.IsNullOrEmpty(cfg.Name) && cfg.Name != cfg.Durable)
        {
            throw Fail(JsErrors.ConsumerCreateDurableAndNameMismatch);
        }
        if (cfg.Metadata is { } metadata && metadata.Sum(kv => kv.Key.Length + kv.Value.Length) > StreamConfigCheck.MaxMetadataLength)
        {
            throw Fail(JsErrors.ConsumerMetadataLength.With("limit", $"{StreamConfigCheck.MaxMetadataLength / 1024}KB"));
        }
        if (cfg.PriorityPolicy != PriorityPolicy.None || cfg.PriorityGroups is { Count: > 0 })
        {
            // Priority groups (2.11 pinned/overflow pull) are not built: refused rather than ignored.
            throw Fail(JsErrors.ConsumerInvalidPolicy.With("err", "priority groups are not supported by this server"));
        }
        if (stream.Retention == RetentionPolicy.WorkQueue && cfg.AckPolicy != AckPolicy.Explicit)
        {
            throw Fail(JsErrors.ConsumerWQRequiresExplicitAck);
        }
        if (stream.Retention == RetentionPolicy.WorkQueue && cfg.DeliverPolicy != DeliverPolicy.All)
        {
            throw Fail(JsErrors.ConsumerWQConsumerNotDeliverAll);
        }
        return cfg;
    }

    private static void SetDefaults(ConsumerConfig cfg, StreamConfig stream)
    {
        if (cfg.MaxDeliver == 0 || cfg.MaxDeliver < -1)
        {
            cfg.MaxDeliver = -1;
        }
        if (cfg.MaxWaiting < 0)
        {
            cfg.MaxWaiting = 0;
        }
        if (cfg.MaxAckPending < -1)
        {
            cfg.MaxAckPending = -1;
        }
        cfg.MaxRequestBatch = Math.Max(0, cfg.MaxRequestBatch);
        cfg.MaxRequestExpires = Math.Max(0, cfg.MaxRequestExpires);
        cfg.MaxRequestMaxBytes = Math.Max(0, cfg.MaxRequestMaxBytes);
        cfg.Heartbeat = Math.Max(0, cfg.Heartbeat);
        cfg.InactiveThreshold = Math.Max(0, cfg.InactiveThreshold);
        if (string.IsNullOrEmpty(cfg.DeliverSubject) && cfg.MaxWaiting == 0)
        {
            cfg.MaxWaiting = DefaultMaxWaiting;
        }
        if (cfg.AckWait == 0 && cfg.AckPolicy is AckPolicy.Explicit or AckPolicy.All)
        {
            cfg.AckWait = DefaultAckWait;
        }
        if (cfg.BackOff is { Count: > 0 } backoff)
        {
            cfg.AckWait = backoff[0];
        }
        if (cfg.MaxAckPending == 0)
        {
            cfg.MaxAckPending = stream.ConsumerLimits.MaxAckPending;
        }
        if (cfg.InactiveThreshold == 0)
        {
            cfg.InactiveThreshold = stream.ConsumerLimits.InactiveThreshold;
        }
        if (cfg.MaxAckPending == 0 && cfg.AckPolicy != AckPolicy.None)
        {
            cfg.MaxAckPending = DefaultMaxAckPending;
        }
        if (string.IsNullOrEmpty(cfg.Durable) && cfg.InactiveThreshold <= 0)
        {
            // nats-server's updateInactiveThreshold: ephemerals always go after 5s without activity.
            cfg.InactiveThreshold = DefaultEphemeralInactiveThreshold;
        }
    }

    private static void CheckPush(ConsumerConfig cfg, StreamConfig stream)
    {
        var deliver = cfg.DeliverSubject!;
        if (SubjectMatch.HasWildcard(deliver))
        {
            throw Fail(JsErrors.ConsumerDeliverToWildcards);
        }
        if (!SubjectMatch.IsValid(deliver, allowWildcards: false))
        {
            throw Fail(JsErrors.ConsumerInvalidDeliverSubject);
        }
        if ((stream.Subjects ?? []).Any(s => SubjectMatch.Matches(deliver, s)))
        {
            throw Fail(JsErrors.ConsumerDeliverCycle);
        }
        if (cfg.MaxWaiting != 0)
        {
            throw Fail(JsErrors.ConsumerPushMaxWaiting);
        }
        if (cfg.MaxAckPending > 0 && cfg.AckPolicy == AckPolicy.None)
        {
            throw Fail(JsErrors.ConsumerMaxPendingAckPolicyRequired);
        }
        if (cfg.Heartbeat > 0 && cfg.Heartbeat < HundredMs)
        {
            throw Fail(JsErrors.ConsumerSmallHeartbeat);
        }
    }

    private static void CheckPull(ConsumerConfig cfg, StreamConfig stream)
    {
        if (cfg.AckPolicy == AckPolicy.None && stream.Retention == RetentionPolicy.WorkQueue)
        {
            throw Fail(JsErrors.ConsumerPullRequiresAck);
        }
        if (cfg.RateLimit > 0)
        {
            throw Fail(JsErrors.ConsumerPullWithRateLimit);
        }
        if (cfg.Heartbeat > 0)
        {
            throw Fail(JsErrors.ConsumerHBRequiresPush);
        }
        if (cfg.FlowControl)
        {
            throw Fail(JsErrors.ConsumerFCRequiresPush);
        }
        if (cfg.MaxRequestExpires != 0 && cfg.MaxRequestExpires < 1_000_000L)
        {
            throw Fail(JsErrors.ConsumerMaxRequestExpiresTooSmall);
        }
    }

    private static void CheckFilters(ConsumerConfig cfg)
    {
        if (!string.IsNullOrEmpty(cfg.FilterSubject) && cfg.FilterSubjects is { Count: > 0 })
        {
            throw Fail(JsErrors.ConsumerDuplicateFilterSubjects);
        }
        if (!string.IsNullOrEmpty(cfg.FilterSubject) && !SubjectMatch.IsValid(cfg.FilterSubject, allowWildcards: true))
        {
            throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "invalid subject"));
        }
        if (cfg.FilterSubjects is { } many && many.Any(string.IsNullOrEmpty))
        {
            throw Fail(JsErrors.ConsumerEmptyFilter);
        }
        var filters = Filters(cfg);
        for (var i = 0; i < filters.Count; i++)
        {
            if (!SubjectMatch.IsValid(filters[i], allowWildcards: true))
            {
                throw new JsApiException(JsErrors.StreamInvalidConfigF.With("err", "invalid subject"));
            }
            for (var j = 0; j < filters.Count; j++)
            {
                if (i != j && SubjectMatch.IsSubsetOf(filters[i], filters[j]))
                {
                    throw Fail(JsErrors.ConsumerOverlappingSubjectFilters);
                }
            }
        }
    }

    private static void CheckStart(ConsumerConfig cfg)
    {
        static string BadStart(string dp, string start) => $"consumer delivery policy is deliver {dp}, but optional start {start} is also set";
        static string NotSet(string dp, string what) => $"consumer delivery policy is deliver {dp}, but optional {what} is not set";
        var hasSeq = cfg.OptStartSeq > 0;
        var hasTime = cfg.OptStartTime is not null;
        switch (cfg.DeliverPolicy)
        {
            case DeliverPolicy.All or DeliverPolicy.Last or DeliverPolicy.New or DeliverPolicy.LastPerSubject:
                var name = cfg.DeliverPolicy switch
                {
                    DeliverPolicy.All => "all",
                    DeliverPolicy.Last => "last",
                    DeliverPolicy.New => "new",
                    _ => "last per subject",
                };
                if (hasSeq)
                {
                    throw Policy(BadStart(name, "sequence"));
                }
                if (hasTime)
                {
                    throw Policy(BadStart(name, "time"));
                }
                if (cfg.DeliverPolicy == DeliverPolicy.LastPerSubject && Filters(cfg).Count == 0)
                {
                    throw Policy(NotSet(name, "filter subject"));
                }
                break;
            case DeliverPolicy.ByStartSequence:
                if (!hasSeq)
                {
                    throw Policy(NotSet("by start sequence", "start sequence"));
                }
                if (hasTime)
                {
                    throw Policy(BadStart("by start sequence", "time"));
                }
                break;
            case DeliverPolicy.ByStartTime:
                if (!hasTime)
                {
                    throw Policy(NotSet("by start time", "start time"));
                }
                if (hasSeq)
                {
                    throw Policy(BadStart("by start time", "start sequence"));
                }
                break;
        }
    }

    /// <summary>The consumer's filters: <c>filter_subject</c> or <c>filter_subjects</c> (empty: everything).</summary>
    public static List<string> Filters(ConsumerConfig cfg) =>
        !string.IsNullOrEmpty(cfg.FilterSubject) ? [cfg.FilterSubject] : cfg.FilterSubjects?.Where(f => f.Length > 0).ToList() ?? [];

    /// <summary>A deep copy of <paramref name="config"/>.</summary>
    public static ConsumerConfig Clone(ConsumerConfig config) =>
        System.Text.Json.JsonSerializer.Deserialize(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(config, JsJsonContext.Default.ConsumerConfig), JsJsonContext.Default.ConsumerConfig)!;
}
