namespace Persistence;

/// <summary>A key, value or name is empty or exceeds a documented limit.</summary>
public sealed class LimitExceededException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public LimitExceededException(ErrorCode code, string message)
        : base(code, message)
    {
    }
}
