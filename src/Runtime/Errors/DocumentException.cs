namespace Persistence;

/// <summary>
/// An operation on a document by primary key could not be done as asked: inserting a key that exists
/// (<see cref="ErrorCode.DuplicateKey"/>) or updating one that does not (<see cref="ErrorCode.DocumentNotFound"/>).
/// Nothing was written; the transaction remains usable. A query's <c>First</c> that matches no document throws it too
/// (<see cref="ErrorCode.DocumentNotFound"/>), where LINQ would throw <see cref="InvalidOperationException"/>. Also thrown by a collection's constructor when the stored
/// documents are keyed by another primary-key encoding than the type declares (<see cref="ErrorCode.PrimaryKeyChanged"/>),
/// or are keyed by the earlier encoding of DateTime and DateTimeOffset parts and two of them have one key in the declared
/// one (<see cref="ErrorCode.PrimaryKeysCollide"/>); nothing is written then either.
/// </summary>
public sealed class DocumentException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public DocumentException(ErrorCode code, string collection, string message)
        : base(code, message)
    {
        Collection = collection;
    }

    /// <summary>The collection.</summary>
    public string Collection { get; }
}
