using Persistence.Query;

namespace Persistence.Collections;

public abstract partial class Collection<T, TKey> : IRepository<T, TKey>
{
    /// <summary>
    /// A query with a condition and nothing else. It needs no generated fields type (they only build conditions and
    /// orderings), so the repository interface can offer it without a third type parameter.
    /// </summary>
    IEnumerable<T> IRepository<T, TKey>.Find(Condition<T> condition, Transaction? transaction)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return new Query<T, TKey, object?>(this, null, transaction).Where(condition);
    }
}
