namespace Persistence;

/// <summary>A query cannot run as written (for example a negative Skip or Take, or conflicting orderings).</summary>
public sealed class QueryException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public QueryException(string message)
        : base(ErrorCode.InvalidQuery, message)
    {
    }
}
