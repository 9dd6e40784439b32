using System.Diagnostics.CodeAnalysis;
using Persistence.Query;

namespace Persistence.Collections;

/// <summary>
/// The typed data access of one collection, as an application service depends on it: reads, writes and queries of
/// documents of type <typeparamref name="T"/> by primary key <typeparamref name="TKey"/>. Every generated
/// <c>{Type}Collection</c> implements it (through <see cref="Collection{T, TKey}"/>) and dependency injection
/// registers it as <c>IRepository&lt;T, TKey&gt;</c> beside the collection itself, whose index accessors and typed
/// <c>Query()</c> are the richer, type-specific surface.
/// </summary>
/// <remarks>
/// Each operation runs in its own transaction unless one is passed: a read then sees one snapshot, a write commits
/// atomically (and is retried on write conflicts). Pass a transaction from <see cref="Database"/> to make several
/// operations, on one or several collections, commit or roll back together. Implementations are thread-safe.
/// </remarks>
/// <typeparam name="T">The document type.</typeparam>
/// <typeparam name="TKey">The primary key type.</typeparam>
public interface IRepository<T, TKey>
    where T : class
{
    /// <summary>The database the collection lives in, for explicit transactions (<see cref="Database.BeginWrite"/>).</summary>
    Database Database { get; }

    /// <summary>The collection name.</summary>
    string Name { get; }

    /// <summary>The document with primary key <paramref name="key"/>, or null.</summary>
    T? Get(TKey key, Transaction? transaction = null);

    /// <summary>Looks up the document with primary key <paramref name="key"/>.</summary>
    bool TryGet(TKey key, [NotNullWhen(true)] out T? document, Transaction? transaction = null);

    /// <summary>True when a document has primary key <paramref name="key"/>.</summary>
    bool Contains(TKey key, Transaction? transaction = null);

    /// <summary>The number of documents (constant time).</summary>
    long Count(Transaction? transaction = null);

    /// <summary>Streams every document in primary-key order; without a transaction, from one snapshot held until the enumerator is disposed.</summary>
    IEnumerable<T> All(Transaction? transaction = null);

    /// <summary>Streams the documents whose primary key lies in [<paramref name="from"/>, <paramref name="to"/>) in key order.</summary>
    IEnumerable<T> Range(TKey from, TKey to, Transaction? transaction = null);

    /// <summary>
    /// Streams the documents that satisfy <paramref name="condition"/>, built from the generated fields
    /// (<c>UserCollection.Fields.Age.AtLeast(18)</c>); the query planner uses an index when one serves the condition.
    /// For ordering, paging and <c>Explain</c>, use the generated collection's <c>Query()</c>.
    /// </summary>
    IEnumerable<T> Find(Condition<T> condition, Transaction? transaction = null);

    /// <summary>Inserts a document; throws <see cref="DocumentException"/> (<see cref="ErrorCode.DuplicateKey"/>) when its key exists.</summary>
    void Insert(T document, WriteTransaction? transaction = null);

    /// <summary>
    /// Inserts documents in one transaction. Without <paramref name="transaction"/>, all or none. In the caller's
    /// transaction, a failure leaves the documents before the failing one written in it (each with its index entries):
    /// roll the transaction back to discard them.
    /// </summary>
    void InsertMany(IEnumerable<T> documents, WriteTransaction? transaction = null);

    /// <summary>Inserts the document, or replaces the one with the same key. Returns true when it was inserted.</summary>
    bool Upsert(T document, WriteTransaction? transaction = null);

    /// <summary>Replaces the document with the same key; throws <see cref="DocumentException"/> (<see cref="ErrorCode.DocumentNotFound"/>) when there is none.</summary>
    void Update(T document, WriteTransaction? transaction = null);

    /// <summary>Deletes the document with primary key <paramref name="key"/>. Returns false when there was none.</summary>
    bool Delete(TKey key, WriteTransaction? transaction = null);

    /// <inheritdoc cref="Get"/>
    ValueTask<T?> GetAsync(TKey key, Transaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Contains"/>
    ValueTask<bool> ContainsAsync(TKey key, Transaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Count"/>
    ValueTask<long> CountAsync(Transaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="All"/>
    IAsyncEnumerable<T> AllAsync(Transaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Insert"/>
    Task InsertAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="InsertMany"/>
    Task InsertManyAsync(IEnumerable<T> documents, WriteTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Upsert"/>
    Task<bool> UpsertAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Update"/>
    Task UpdateAsync(T document, WriteTransaction? transaction = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="Delete"/>
    Task<bool> DeleteAsync(TKey key, WriteTransaction? transaction = null, CancellationToken cancellationToken = default);
}
