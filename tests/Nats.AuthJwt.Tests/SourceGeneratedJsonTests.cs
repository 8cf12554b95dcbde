using Nats.AuthJwt.SystemAccount;
using Nats.TestSupport;

namespace Nats.AuthJwt.Tests;

/// <summary>This plugin's <c>$SYS</c> answers are written from compile-time metadata (for the native build) exactly as reflection wrote them.</summary>
[TestFixture]
public sealed class SourceGeneratedJsonTests
{
    [Test]
    public void SystemAnswersAreWrittenAsByReflection() =>
        SourceGeneratedJsonCheck.AssertSameAsReflection(AuthJwtSystemJsonContext.Default);
}
