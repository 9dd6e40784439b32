using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers;

/// <summary>
/// The operations the workloads run, each a complete unit as an application would issue it: its own transaction, and
/// every read returns fully materialized <see cref="User"/> objects. A peer that lacks an operation (EF Core runs only
/// W1 and W4) throws <see cref="NotSupportedException"/>; the workload catalog never asks it to.
/// </summary>
internal interface IPeerSession : IDisposable
{
    /// <summary>Operations that had to be retried (write conflicts, SQLITE_BUSY beyond the busy timeout).</summary>
    long Retries { get; }

    /// <summary>Inserts one user (and its index entries) and commits. The Id and Email are new.</summary>
    void Insert(User user, CommitMode mode);

    /// <summary>The user with <paramref name="id"/>, or null.</summary>
    User? Get(long id);

    /// <summary>The user with <paramref name="email"/>, through the unique index, or null.</summary>
    User? GetByEmail(string email);

    /// <summary>Adds to <paramref name="results"/> the first <paramref name="limit"/> users with Age == <paramref name="age"/> in Id order; returns how many.</summary>
    int QueryAge(int age, int limit, List<User> results);

    /// <summary>The same as <see cref="QueryAge"/>, through the peer's query builder (see <see cref="IPeer.HasQueryBuilder"/>).</summary>
    int QueryAgeWithBuilder(int age, int limit, List<User> results) => throw new NotSupportedException("This peer has no query builder.");

    /// <summary>
    /// The user with <paramref name="id"/>, fully materialized, for the check after a bulk load. The same as
    /// <see cref="Get"/> except for a peer whose reads return raw bytes (LMDB).
    /// </summary>
    User? GetMaterialized(long id) => Get(id);

    /// <summary>Sets the Name of user <paramref name="id"/> and commits; false when there is no such user.</summary>
    bool UpdateName(long id, string name, CommitMode mode);

    /// <summary>Adds to <paramref name="results"/> up to <paramref name="count"/> users with Id ≥ <paramref name="firstId"/> in Id order; returns how many.</summary>
    int Scan(long firstId, int count, List<User> results);
}
