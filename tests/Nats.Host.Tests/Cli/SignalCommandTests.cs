using Nats.Host.Cli;
using Nats.Host.Signals;

namespace Nats.Host.Tests.Cli;

/// <summary><c>--signal</c>: command names, pid resolution and nats-server's messages.</summary>
[TestFixture]
public sealed class SignalCommandTests
{
    [TestCase("stop", UnixSignal.Kill)]
    [TestCase("quit", UnixSignal.Interrupt)]
    [TestCase("term", UnixSignal.Terminate)]
    [TestCase("reload", UnixSignal.Hangup)]
    public void Commands_map_to_nats_server_signals(string command, int signal) =>
        Assert.That(SignalCommand.ToSignal(command), Is.EqualTo(signal));

    [Test]
    public void Reopen_and_lame_duck_use_the_user_signals()
    {
        Assert.That(SignalCommand.ToSignal("reopen"), Is.EqualTo(UnixSignal.User1));
        Assert.That(SignalCommand.ToSignal("ldm"), Is.EqualTo(UnixSignal.User2));
        Assert.That(SignalCommand.ToSignal("bogus"), Is.Null);
    }

    [TestCase("bogus", "unknown signal \"bogus\"")]
    [TestCase("stop=1=2", "invalid signal parameters: [2]")]
    [TestCase("stop=abc", "invalid pid: abc")]
    public void Bad_arguments_are_reported_like_nats_server(string argument, string message) =>
        Assert.That(Assert.Throws<CommandLineException>(() => SignalCommand.Run(argument, () => []))!.Message, Is.EqualTo(message));

    [Test]
    public void Without_a_pid_exactly_one_running_instance_is_required()
    {
        Assert.That(Assert.Throws<CommandLineException>(() => SignalCommand.ResolvePids("", () => []))!.Message,
            Is.EqualTo("no nats-server processes running"));
        Assert.That(Assert.Throws<CommandLineException>(() => SignalCommand.ResolvePids("", () => [11, 12]))!.Message,
            Is.EqualTo("multiple nats-server processes running:\n11\n12"));
        Assert.That(SignalCommand.ResolvePids("", () => [11]), Is.EqualTo(new[] { 11 }));
    }

    [Test]
    public void A_pid_is_used_as_given_and_a_glob_picks_matching_instances()
    {
        Assert.That(SignalCommand.ResolvePids("42", () => throw new AssertionException("must not search")), Is.EqualTo(new[] { 42 }));
        Assert.That(SignalCommand.ResolvePids("12*", () => [123, 124, 135]), Is.EqualTo(new[] { 123, 124 }));
    }

    [Test]
    public void A_pid_file_is_read_for_its_pid()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "4321\n");
            Assert.That(SignalCommand.MaybeReadPidFile(file), Is.EqualTo("4321"));
            Assert.That(SignalCommand.MaybeReadPidFile("4322"), Is.EqualTo("4322"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public void Signalling_a_missing_process_reports_the_system_error()
    {
        // Pids above the kernel's pid_max can't exist.
        var error = Assert.Throws<CommandLineException>(() => SignalCommand.Run("term=99999999", () => []))!;
        Assert.That(error.Message, Is.EqualTo("signal \"term\" 99999999: no such process"));
    }

    [TestCase(new[] { "/usr/bin/dotnet", "/opt/nats/nats-server.dll", "-p", "1" }, true)]
    [TestCase(new[] { "dotnet", "exec", "--roll-forward", "Major", "nats-server.dll" }, true)]
    [TestCase(new[] { "/opt/nats/nats-server", "-c", "x.conf" }, true)]
    [TestCase(new[] { "dotnet", "test", "Other.dll", "nats-server.dll" }, false)]
    [TestCase(new[] { "/usr/bin/nats-streaming-server" }, false)]
    [TestCase(new[] { "bash", "-c", "nats-server" }, false)]
    [TestCase(new string[0], false)]
    public void Server_processes_are_recognised_by_their_command_line(string[] argv, bool isServer) =>
        Assert.That(ServerProcessFinder.IsServerCommandLine(argv, "nats-server"), Is.EqualTo(isServer));
}
