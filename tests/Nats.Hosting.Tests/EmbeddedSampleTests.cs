using System.Diagnostics;

namespace Nats.Hosting.Tests;

/// <summary>
/// The embedding sample (samples/EmbeddedServer, shown in README.md) runs as a user would run it:
/// a server inside the program, NATS.Net publishing, subscribing with headers, requesting a
/// service and getting no-responders, then a clean exit.
/// </summary>
[CancelAfter(60_000)]
public class EmbeddedSampleTests
{
    [Test]
    public async Task RunsToTheEndWithEveryExchange(CancellationToken cancellationToken)
    {
        var dll = SampleApp.DllOf("EmbeddedServer");
        var psi = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var program = Process.Start(psi)!;
        var output = program.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = program.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await program.WaitForExitAsync(cancellationToken);
        }
        finally
        {
            if (!program.HasExited)
            {
                program.Kill(entireProcessTree: true);
            }
        }
        var text = await output;
        Assert.That(program.ExitCode, Is.Zero, text + await errors);
        Assert.That(text, Does.Match(@"server listening on nats://127\.0\.0\.1:\d+"));
        Assert.That(text, Does.Contain("received 'hello' on greetings.world (Sent-By: Program.cs)"));
        Assert.That(text, Does.Match(@"reply: it is \d{4}-\d\d-\d\dT.*, asked by the sample"));
        Assert.That(text, Does.Contain("no responders for nobody.home"));
        Assert.That(text.TrimEnd(), Does.EndWith("done"));
    }
}
