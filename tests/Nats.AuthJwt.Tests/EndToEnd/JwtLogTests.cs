using Nats.TestSupport;

namespace Nats.AuthJwt.Tests.EndToEnd;

/// <summary>
/// The plugin's log lines (its <c>AuthJwtLog</c> definitions): the trusted operators at start, as
/// nats-server's <c>Trusted Operators</c> notice, and a refused user JWT at debug next to the
/// kernel's authentication error.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class JwtLogTests
{
    [Test]
    public async Task Start_names_the_trusted_operator_and_a_refused_user_jwt_is_logged_at_debug()
    {
        using var setup = new OperatorSetup();
        var known = setup.NewAccount("A");
        var unknown = setup.NewAccount("NOT_LOADED");
        using var logs = new ListLoggerProvider();
        await using var server = await JwtServer.StartAsync(setup.MemoryConfig(FreePorts.Take(), setup.AccountJwt(known)), logs);
        Assert.That(logs.Texts, Has.One.EqualTo($"[Information] Trusted Operators: OP ({setup.Operator.PublicKey})"));

        var (client, first) = await ReferenceParity.LoginAsync(server.Port, setup.NewUser(unknown, "stranger"));
        await client.DisposeAsync();
        Assert.That(first, Does.StartWith("-ERR 'Authorization Violation'"));
        await Eventually.TrueAsync(() => logs.Texts.Any(l => l.StartsWith("[Debug] User JWT refused: ", StringComparison.Ordinal)),
            "the plugin says why it refused the JWT", TimeSpan.FromSeconds(10));
        // Both are the plugin's [LoggerMessage] definitions (event ids 900-999).
        Assert.That(logs.Events.Single(e => e.Message.StartsWith("Trusted Operators: ", StringComparison.Ordinal)).EventId, Is.EqualTo(901));
        Assert.That(logs.Events.First(e => e.Message.StartsWith("User JWT refused: ", StringComparison.Ordinal)).EventId, Is.EqualTo(905));
    }
}
