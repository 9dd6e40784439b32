namespace Persistence;

/// <summary>A query cannot run as written: a negative Skip or Take, a ThenBy without an OrderBy before it, or a Where or an ordering after Skip or Take.</summary>
public sealed class QueryException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public QueryException(string message)
        : base(ErrorCode.InvalidQuery, message)
    {
    }
}
