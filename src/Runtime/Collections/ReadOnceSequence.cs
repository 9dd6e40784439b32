namespace Persistence.Collections;

/// <summary>
/// The caller's sequence of an <c>InsertMany</c> that runs in a write of its own, which runs its work again after a
/// write conflict: the sequence is read once, whatever the attempts. A later attempt is handed the documents the
/// earlier ones read, then the rest of the sequence.
/// </summary>
/// <remarks>
/// A sequence read a second time may not hand over the same documents: a queue or channel being drained hands over
/// nothing, and the retry would commit an empty transaction as if every document had been written. A lazy sequence is
/// still read one document at a time by the first attempt, each written before the next is read; a sequence that
/// hands over one object refilled for each document cannot be handed over again (the object holds the last document
/// only), so a retry of one is refused (<see cref="NotReplayable"/>) rather than run.
/// </remarks>
internal sealed class ReadOnceSequence<T> : IEnumerable<T>, IDisposable
    where T : class
{
    private readonly IEnumerable<T> _documents;
    private readonly List<T> _read = [];
    private IEnumerator<T>? _source;
    private bool _done;
    private bool _refilled;
    private Exception? _failure;

    private ReadOnceSequence(IEnumerable<T> documents) => _documents = documents;

    /// <summary>
    /// The documents to write, to be read by each attempt: an array or list as it is (reading it again reads the same
    /// documents); another collection copied once (its enumeration may be lazy, and the copy keeps its count, which
    /// lets <c>InsertMany</c> take it in chunks); a lazy sequence wrapped, to be read as the attempts go.
    /// </summary>
    public static IEnumerable<T> Of(IEnumerable<T> documents) => documents switch
    {
        T[] or List<T> => documents,
        ICollection<T> or IReadOnlyCollection<T> => documents.ToArray(),
        _ => new ReadOnceSequence<T>(documents),
    };

    /// <summary>Hands over the documents read so far, then reads on from the sequence.</summary>
    /// <exception cref="PersistenceException">
    /// With <see cref="ErrorCode.WriteConflict"/> when a retry would hand over a refilled object again, or read on from
    /// a sequence that threw (its exception inner).
    /// </exception>
    public IEnumerator<T> GetEnumerator()
    {
        if (_refilled)
        {
            throw NotReplayable();
        }

        if (_failure is not null)
        {
            throw NotReadable(_failure);
        }

        for (var i = 0; i < _read.Count; i++)
        {
            yield return _read[i]; // a null (the caller's, despite the type) is refused by InsertMany in its turn, as before
        }

        if (_done)
        {
            yield break;
        }

        _source ??= _documents.GetEnumerator();
        while (true)
        {
            T document;
            try
            {
                if (!_source.MoveNext())
                {
                    break;
                }

                document = _source.Current;
            }
            catch (Exception failure)
            {
                _failure = failure; // to the caller as it is; a retry it caused cannot read on (see NotReadable)
                throw;
            }

            _refilled |= _read.Count > 0 && _read[^1] is { } previous && ReferenceEquals(document, previous);
            _read.Add(document);
            yield return document;
        }

        _done = true;
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Ends the reading of the caller's sequence (its enumerator is disposed) and lets go of its documents.</summary>
    public void Dispose()
    {
        _source?.Dispose();
        _read.Clear();
    }

    /// <summary>
    /// The sequence threw while it was read, and the write is run again: only a write conflict is retried, so the
    /// sequence's own (a write it commits as it hands over each document). An enumerator that threw cannot be read on
    /// (an iterator's ends at once, which would commit the documents read before it threw as if they were all).
    /// </summary>
    private static PersistenceException NotReadable(Exception failure) =>
        new(ErrorCode.WriteConflict,
            $"InsertMany's sequence threw while it was read ({failure.Message}), and the write was to run again, but the sequence is read once and cannot be read on after it threw: nothing was written. "
            + "Insert in a transaction of your own and retry it with the sequence read again.",
            failure);

    private static PersistenceException NotReplayable() =>
        new(ErrorCode.WriteConflict,
            "InsertMany's transaction lost a write conflict, and its sequence handed over one object for several documents, so the documents cannot be written again: nothing was written. "
            + "Hand over a new object for each document, or insert in a transaction of your own and retry it with the sequence read again.");
}
