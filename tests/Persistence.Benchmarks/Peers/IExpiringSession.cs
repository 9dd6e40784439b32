using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers;

/// <summary>One thread's use of an <see cref="IExpiringStore"/>. Not thread-safe; one per thread.</summary>
internal interface IExpiringSession : IDisposable
{
    /// <summary>The live document with <paramref name="id"/>, fully materialized, or null (absent or expired).</summary>
    ExpiringUser? Get(long id);

    /// <summary>Inserts one document and commits (T1 runs it on ours only).</summary>
    void Insert(ExpiringUser user, CommitMode mode) => throw new NotSupportedException("T1's inserts run on ours only.");
}
