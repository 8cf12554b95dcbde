using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Nats.Core.Metrics;

namespace Nats.JetStream.Server;

/// <summary>
/// The <c>jetstream_*</c> series prometheus-nats-exporter derives from <c>/jsz</c> (collector/jsz.go,
/// as with <c>-jsz=all</c>): per server <c>jetstream_server_{jetstream_disabled,total_streams,
/// total_consumers,total_messages,total_message_bytes,max_memory,max_storage}</c>, per stream
/// <c>jetstream_stream_{total_messages,total_bytes,first_seq,last_seq}</c> (not the exporter's
/// <c>consumer_count</c>: promtool refuses a gauge named <c>…_count</c>, as the kernel leaves out
/// <c>gnatsd_connz_total</c>; the per-consumer series count them), per
/// consumer <c>jetstream_consumer_{delivered_consumer_seq,delivered_stream_seq,num_ack_pending,
/// num_redelivered,num_waiting,num_pending,ack_floor_stream_seq,ack_floor_consumer_seq}</c>, with
/// the exporter's labels (server: <c>server_id</c>, <c>server_name</c>, <c>cluster</c>,
/// <c>domain</c>, <c>meta_leader</c>, <c>is_meta_leader</c>; streams add <c>account</c>,
/// <c>account_id</c>, <c>stream_name</c>, <c>stream_leader</c>, <c>is_stream_leader</c>; consumers
/// add <c>consumer_name</c>, <c>consumer_leader</c>, <c>is_consumer_leader</c>,
/// <c>consumer_desc</c>, <c>consumer_created</c>). JetStream here is not clustered, so as the
/// exporter does without <c>meta</c> or <c>cluster</c>: cluster and leaders empty, every
/// <c>is_*_leader</c> "true". Built from the same <c>/jsz</c> answer (streams, consumers, config),
/// taken once per scrape.
/// </summary>
internal static class JetStreamMetrics
{
    public static void Register(NatsMetrics metrics, string serverName, Func<JszResponse> jsz)
    {
        var source = new Source(jsz);
        List<KeyValuePair<string, object?>> ServerTags(JszResponse r) =>
        [
            metrics.ServerIdTag,
            new("server_name", serverName),
            new("cluster", ""),
            new("domain", r.Config.Domain ?? ""),
            new("meta_leader", ""),
            new("is_meta_leader", "true"),
        ];

        void Server(string name, string help, Func<JszResponse, double> read) =>
            metrics.Meter.CreateObservableGauge<double>($"jetstream_server_{name}", () =>
            {
                var r = source.Get();
                return [new Measurement<double>(read(r), ServerTags(r))];
            }, description: help);

        Server("jetstream_disabled", "JetStream disabled or not", r => r.Disabled ? 1 : 0);
        Server("total_streams", "Total number of streams in JetStream", r => r.Streams);
        Server("total_consumers", "Total number of consumers in JetStream", r => r.Consumers);
        Server("total_messages", "Total number of stored messages in JetStream", r => r.Messages);
        Server("total_message_bytes", "Total number of bytes stored in JetStream", r => r.Bytes);
        Server("max_memory", "JetStream Max Memory", r => r.Config.MaxMemory);
        Server("max_storage", "JetStream Max Storage", r => r.Config.MaxStore);

        IEnumerable<(List<KeyValuePair<string, object?>> Tags, JsonElement Stream)> Streams(JszResponse r) =>
            from account in r.AccountDetails ?? []
            from stream in account.Streams ?? []
            select (new List<KeyValuePair<string, object?>>(ServerTags(r))
            {
                new("account", account.Name),
                new("account_id", account.Id),
                new("stream_name", stream.GetProperty("name").GetString()),
                new("stream_leader", ""),
                new("is_stream_leader", "true"),
            }, stream);

        void Stream(string name, string help, string field) =>
            metrics.Meter.CreateObservableGauge($"jetstream_stream_{name}", () =>
                Streams(source.Get()).Select(s => new Measurement<double>(Number(s.Stream.GetProperty("state"), field), s.Tags)).ToList(),
                description: help);

        Stream("total_messages", "Total number of messages from a stream", "messages");
        Stream("total_bytes", "Total stored bytes from a stream", "bytes");
        Stream("first_seq", "First sequence from a stream", "first_seq");
        Stream("last_seq", "Last sequence from a stream", "last_seq");

        void Consumer(string name, string help, Func<JsonElement, double> read) =>
            metrics.Meter.CreateObservableGauge($"jetstream_consumer_{name}", () =>
                (from s in Streams(source.Get())
                 where s.Stream.TryGetProperty("consumer_detail", out var list) && list.ValueKind == JsonValueKind.Array
                 from consumer in s.Stream.GetProperty("consumer_detail").EnumerateArray()
                 select new Measurement<double>(read(consumer), new List<KeyValuePair<string, object?>>(s.Tags)
                 {
                     new("consumer_name", consumer.GetProperty("name").GetString()),
                     new("consumer_leader", ""),
                     new("is_consumer_leader", "true"),
                     new("consumer_desc", consumer.TryGetProperty("config", out var c) && c.TryGetProperty("description", out var d) ? d.GetString() : ""),
                     new("consumer_created", Created(consumer)),
                 })).ToList(),
                description: help);

        Consumer("delivered_consumer_seq", "Latest sequence number of a stream consumer", c => Number(c.GetProperty("delivered"), "consumer_seq"));
        Consumer("delivered_stream_seq", "Latest sequence number of a stream", c => Number(c.GetProperty("delivered"), "stream_seq"));
        Consumer("num_ack_pending", "Number of pending acks from a consumer", c => Number(c, "num_ack_pending"));
        Consumer("num_redelivered", "Number of redelivered messages from a consumer", c => Number(c, "num_redelivered"));
        Consumer("num_waiting", "Number of inflight fetch requests from a pull consumer", c => Number(c, "num_waiting"));
        Consumer("num_pending", "Number of pending messages from a consumer", c => Number(c, "num_pending"));
        Consumer("ack_floor_stream_seq", "Number of ack floor stream seq from a consumer", c => Number(c.GetProperty("ack_floor"), "stream_seq"));
        Consumer("ack_floor_consumer_seq", "Number of ack floor consumer seq from a consumer", c => Number(c.GetProperty("ack_floor"), "consumer_seq"));
    }

    // A missing number is 0, as Go's zero value the exporter would read.
    private static double Number(JsonElement parent, string field) =>
        parent.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : 0;

    // The exporter's consumer.Created.Local().Format(time.RFC3339).
    private static string Created(JsonElement consumer) =>
        consumer.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.String
        && DateTime.TryParse(created.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
            ? new DateTimeOffset(time.ToLocalTime()).ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture).Replace("+00:00", "Z")
            : "";

    /// <summary>The /jsz answer, built at most once per 50 ms (every instrument of a scrape shares it).</summary>
    private sealed class Source(Func<JszResponse> build)
    {
        private static readonly long Window = Stopwatch.Frequency / 20;

        // Scrapes may overlap (the HTTP server and an OpenTelemetry reader): swapped whole.
        private volatile Taken? _taken;

        public JszResponse Get()
        {
            var taken = _taken;
            var now = Stopwatch.GetTimestamp();
            if (taken is null || now - taken.At > Window)
            {
                taken = new Taken(now, build());
                _taken = taken;
            }
            return taken.Response;
        }

        private sealed record Taken(long At, JszResponse Response);
    }
}
