namespace Nats.Core.Monitoring;

/// <summary>A monitoring endpoint's answer: a body, an HTTP status and how to write the body.</summary>
/// <param name="Body">A DTO serialized as JSON, or a string written as is for text and HTML.</param>
/// <param name="Status">HTTP status code.</param>
public sealed record MonitoringResponse(object Body, int Status = 200)
{
    /// <summary>The content type; JSON unless made with <see cref="Text"/> or <see cref="Html"/>.</summary>
    public string ContentType { get; init; } = JsonContentType;

    /// <summary>Indented JSON (most endpoints) or compact (nats-server's <c>/healthz</c>).</summary>
    public bool Indented { get; init; } = true;

    /// <summary>True when <see cref="Body"/> is serialized as JSON (and may be wrapped for JSONP).</summary>
    public bool IsJson => ContentType == JsonContentType;

    internal const string JsonContentType = "application/json";

    /// <summary>A JSON answer.</summary>
    public static MonitoringResponse Json(object body, int status = 200, bool indented = true) =>
        new(body, status) { Indented = indented };

    /// <summary>A plain-text answer, as nats-server gives for refused requests.</summary>
    public static MonitoringResponse Text(string text, int status) =>
        new(text, status) { ContentType = "text/plain; charset=utf-8" };

    /// <summary>An HTML page (the root page).</summary>
    public static MonitoringResponse Html(string html) =>
        new(html) { ContentType = "text/html; charset=utf-8" };
}
