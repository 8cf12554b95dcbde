using Nats.Core.Accounts;
using Nats.Core.Config;
using Nats.Core.Plugins;

namespace Nats.Core.Tests.Accounts;

/// <summary>
/// What a JWT-like plugin does, in miniature: a user named <c>acct/user</c> is admitted into
/// account <c>acct</c> (which the server may not know yet), with limits set per user name.
/// </summary>
internal sealed class AccountFromUserAuthenticator : IAuthenticator
{
    public Dictionary<string, UserLimits> Limits { get; } = [];

    public string Name => "account-from-user";

    public ValueTask<AuthResult> AuthenticateAsync(ConnectContext context, CancellationToken cancellationToken)
    {
        var user = context.Connect.Username;
        if (user is null || !user.Contains('/'))
        {
            return ValueTask.FromResult(AuthResult.NotMine);
        }
        var account = user[..user.IndexOf('/')];
        return ValueTask.FromResult(AuthResult.Accept(account, user, limits: Limits.GetValueOrDefault(user)));
    }
}

/// <summary>A resolver answering from a table, optionally slowly, counting how often it is asked.</summary>
internal sealed class TableResolver : IAccountResolver
{
    private int _calls;

    public Dictionary<string, AccountConfig> Accounts { get; } = [];

    public TimeSpan Delay { get; set; }

    /// <summary>When set, each answer waits for it too (the test opens it).</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Set once the resolver was asked.</summary>
    public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>True once a wait for <see cref="Gate"/> was cancelled (the registry gave up on the answer).</summary>
    public bool GateTimedOut => Volatile.Read(ref _gateTimedOut);

    private bool _gateTimedOut;

    public string Name => "table";

    public async ValueTask<AccountConfig?> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        Asked.TrySetResult();
        if (Gate is { } gate)
        {
            try
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Volatile.Write(ref _gateTimedOut, true);
                throw;
            }
        }
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, cancellationToken);
        }
        return Accounts.GetValueOrDefault(name);
    }
}

internal static class Definitions
{
    public static AccountConfig Exporting(string name, string subject) => new()
    {
        Name = name,
        Exports = [new ExportConfig { Kind = ExportKind.Stream, Subject = subject }],
    };

    public static AccountConfig Importing(string name, string from, string subject) => new()
    {
        Name = name,
        Imports = [new ImportConfig { Kind = ExportKind.Stream, Account = from, Subject = subject }],
    };

    public static string Login(string user) => $$"""{"verbose":false,"pedantic":false,"headers":true,"protocol":1,"user":"{{user}}","pass":"x"}""";
}
