namespace Persistence;

/// <summary>
/// Another transaction committed a write to a key that this transaction also wrote, after this transaction's
/// snapshot was taken. Nothing of this transaction was applied; run it again on a fresh snapshot
/// (the database's retry helper does that for you).
/// </summary>
public sealed class WriteConflictException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public WriteConflictException(string message, string keyspace)
        : this(message, keyspace, $"the same key in keyspace '{keyspace}'")
    {
    }

    /// <summary>
    /// The conflict of a commit whose snapshot was <paramref name="snapshot"/>, on a key of <paramref name="keyspace"/>,
    /// which <paramref name="subject"/> describes in the user's terms (a document or index entry of a collection, see
    /// <see cref="Collections.CollectionKeyspaces.Describe"/>).
    /// </summary>
    internal WriteConflictException(string keyspace, string subject, long snapshot)
        : this($"This transaction and another, committed after its snapshot ({snapshot}), both wrote {subject}. Nothing of this transaction was applied; retry it.",
            keyspace, subject)
    {
    }

    private WriteConflictException(string message, string keyspace, string subject)
        : base(ErrorCode.WriteConflict, message)
    {
        Keyspace = keyspace;
        Subject = subject;
    }

    /// <summary>
    /// The keyspace of (one of) the conflicting keys. A typed collection <c>c</c> keeps its documents in keyspace
    /// <c>c</c> and index <c>I</c> in <c>c#I</c>; the <see cref="Exception.Message"/> names the collection and index.
    /// </summary>
    public string Keyspace { get; }

    /// <summary>The conflicting key, as the end of a sentence saying two transactions wrote it ("the same entry of index 'Email' of collection 'users' (...)").</summary>
    internal string Subject { get; }
}
