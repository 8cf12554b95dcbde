using System.Text;
using System.Text.Json.Serialization;
using Nats.Core.Subjects;

namespace Nats.Core.Monitoring;

/// <summary>
/// One subscription in <c>/subsz</c>, <c>/connz?subs=detail</c> and <c>/routez?subs=detail</c>
/// (and plugins' lists), with nats-server's field names.
/// </summary>
public sealed class SubDetail
{
    /// <summary>The account; nats-server leaves it out in an open connection's own list.</summary>
    [JsonPropertyName("account")] public string? Account { get; set; }
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";
    [JsonPropertyName("qgroup")] public string? Queue { get; set; }
    [JsonPropertyName("sid")] public string Sid { get; set; } = "";
    /// <summary>Messages delivered on this subscription.</summary>
    [JsonPropertyName("msgs")] public long Msgs { get; set; }
    /// <summary>The auto-unsubscribe limit, left out when there is none.</summary>
    [JsonPropertyName("max")] public long? Max { get; set; }
    /// <summary>The owning connection's id.</summary>
    [JsonPropertyName("cid")] public ulong Cid { get; set; }

    /// <summary>Describes <paramref name="subscription"/>, owned by connection <paramref name="cid"/>.</summary>
    public static SubDetail From(Subscription subscription, ulong cid, string? account = null)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return new SubDetail
        {
            Account = account,
            Subject = subscription.SubjectString,
            Queue = subscription.QueueString,
            Sid = Encoding.UTF8.GetString(subscription.Sid),
            Msgs = subscription.Delivered,
            Max = subscription.MaxMessages > 0 ? subscription.MaxMessages : null,
            Cid = cid,
        };
    }
}
