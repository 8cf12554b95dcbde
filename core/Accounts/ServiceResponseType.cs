namespace Nats.Core.Accounts;

/// <summary>How many responses a service sends per request.</summary>
public enum ServiceResponseType
{
    /// <summary>One response per request.</summary>
    Singleton,

    /// <summary>Any number of responses until the threshold passes.</summary>
    Stream,

    /// <summary>A response in several chunks.</summary>
    Chunked,
}
