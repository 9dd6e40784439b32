using System.Collections;
using System.Diagnostics;

namespace Persistence.Benchmarks.Data;

/// <summary>
/// The documents with Ids <c>[first, first + count)</c>, in Id order, handed out in batches. While the next batch is
/// being generated the <see cref="Stopwatch"/> given to the constructor is paused, so that a timed bulk load measures
/// the peer and not the data generator, and no peer has to hold the whole data set in memory (10M users at W10).
/// </summary>
/// <remarks>
/// Each batch is a fresh set of documents in one reused list: peers may keep the objects (EF Core's change tracker
/// does) but not the list.
/// </remarks>
internal class DocumentBatches<T> : IEnumerable<IReadOnlyList<T>>
{
    private readonly Func<long, T> _create;
    private readonly long _first;
    private readonly int _batchSize;
    private readonly Stopwatch? _timer;

    public DocumentBatches(Func<long, T> create, long first, long count, Stopwatch? timer = null, int batchSize = 10_000)
    {
        _create = create;
        _first = first;
        Count = count;
        _timer = timer;
        _batchSize = batchSize;
    }

    /// <summary>The number of documents in all batches.</summary>
    public long Count { get; }

    public IEnumerator<IReadOnlyList<T>> GetEnumerator()
    {
        var batch = new List<T>(_batchSize);
        var end = _first + Count;
        for (var next = _first; next < end;)
        {
            var running = _timer?.IsRunning ?? false;
            _timer?.Stop();
            batch.Clear();
            for (var i = 0; i < _batchSize && next < end; i++, next++)
            {
                batch.Add(_create(next));
            }

            if (running)
            {
                _timer!.Start();
            }

            yield return batch;
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
