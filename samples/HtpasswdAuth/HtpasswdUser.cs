using Nats.Core.Config;

namespace HtpasswdAuth;

/// <summary>One user of the htpasswd file, with the account and permissions the access file gives it.</summary>
/// <param name="Name">The user name.</param>
/// <param name="Password">The bcrypt hash (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>) or the plain password.</param>
/// <param name="Account">The account to bind the client to; null for the global account.</param>
/// <param name="Permissions">The permissions to enforce; null for none.</param>
public sealed record HtpasswdUser(string Name, string Password, string? Account, PermissionsConfig? Permissions);
