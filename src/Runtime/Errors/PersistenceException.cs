namespace Persistence;

/// <summary>
/// The base of every exception Persistence throws for environment and caller errors. <see cref="Code"/> says what
/// happened; subclasses exist for the failures that callers commonly want to catch separately.
/// </summary>
/// <remarks>
/// Arguments that break a method's contract are not <see cref="PersistenceException"/>s either, by the .NET
/// conventions: a null argument throws <see cref="ArgumentNullException"/>, an empty path or name
/// <see cref="ArgumentException"/>, and a cancelled token <see cref="OperationCanceledException"/>. Broken internal
/// invariants are bugs: they surface as <see cref="System.Diagnostics.UnreachableException"/> or a failed debug
/// assertion.
/// </remarks>
public class PersistenceException : Exception
{
    /// <summary>Creates an exception with a code and a message.</summary>
    public PersistenceException(ErrorCode code, string message)
        : base(message)
    {
        Code = code;
    }

    /// <summary>Creates an exception with a code, a message and the exception that caused it.</summary>
    public PersistenceException(ErrorCode code, string message, Exception? innerException)
        : base(message, innerException)
    {
        Code = code;
    }

    /// <summary>What went wrong, as a stable code.</summary>
    public ErrorCode Code { get; }
}
