using Nats.Interop.Tests.Infrastructure;

namespace Nats.Interop.Tests;

/// <summary>
/// Run-wide set-up and clean-up. Client toolchains are prepared here, outside any test's
/// time budget (a first <c>npm ci</c> on a clean clone can take a while). A failure is not
/// thrown here: it is remembered and fails only the tests that use that client.
/// </summary>
[SetUpFixture]
public sealed class InteropRunFixture
{
    [OneTimeSetUp]
    public async Task PrepareClients()
    {
        TestContext.Progress.WriteLine($"interop: server under test = '{DescribeTemplate()}', reference = '{ServerCommand.Reference}'");
        var prepared = new[] { JsClient.EnsureInstalledAsync(), CClient.EnsureCompiledAsync() };
        try
        {
            await Task.WhenAll(prepared);
        }
        catch (Exception)
        {
            foreach (var failure in prepared.Where(t => t.IsFaulted))
                TestContext.Progress.WriteLine($"interop: client preparation failed: {failure.Exception?.InnerException?.Message}");
        }
    }

    [OneTimeTearDown]
    public void Cleanup() => InteropRun.Cleanup();

    private static string DescribeTemplate()
    {
        try
        {
            return ServerCommand.UnderTest;
        }
        catch (InvalidOperationException e)
        {
            return "unavailable: " + e.Message;
        }
    }
}
