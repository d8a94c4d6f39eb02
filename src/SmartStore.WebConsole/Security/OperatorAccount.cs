namespace SmartStore.WebConsole.Security;

/// <summary>What an operator may do. Every page, endpoint and hub method names the roles it admits.</summary>
public static class OperatorRoles
{
    /// <summary>Watches the store and resolves reviews.</summary>
    public const string Operator = "operator";

    /// <summary>Everything an operator does, plus refunds, erasure and user management.</summary>
    public const string Supervisor = "supervisor";

    /// <summary>Reads everything, changes nothing; reads the audit log.</summary>
    public const string Auditor = "auditor";

    public static readonly IReadOnlyList<string> All = [Operator, Supervisor, Auditor];
}

/// <summary>An operator's sign-in: the user name (lower case, the document's id), a role and a password hash (never the password).</summary>
public sealed record OperatorAccount(string Id, string DisplayName, string Role, string PasswordHash, DateTimeOffset CreatedAt, string CreatedBy);
