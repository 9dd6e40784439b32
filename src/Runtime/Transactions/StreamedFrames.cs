using System.Collections;
using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// The payloads of one commit read from the log a second time, as the replay reaches them, for a commit too large to
/// hold while it is validated (<see cref="DatabaseOptions.RecoveryHeldLogBytes"/>): a frame is read on first use and
/// dropped once the replay has moved past it (<see cref="Release"/>), so the replay holds a frame or two of the commit
/// (more while a value spans several), not all of it.
/// </summary>
/// <param name="reader">A reader positioned at the commit's first frame.</param>
/// <param name="count">The commit's frames, as the validating pass counted them.</param>
/// <param name="version">The commit's version, which every frame carries.</param>
/// <param name="directory">The log's directory, for the error a frame that no longer validates raises.</param>
internal sealed class StreamedFrames(WalReader reader, int count, long version, string directory) : IReadOnlyList<ReadOnlyMemory<byte>>
{
    private readonly byte[]?[] _frames = new byte[]?[count];
    private int _read;
    private int _released;
    private int _held;

    public int Count => count;

    /// <summary>The most frames held at once.</summary>
    public int MostHeld { get; private set; }

    /// <summary>Frame <paramref name="index"/>, reading the frames up to it; only frames not yet released may be asked for.</summary>
    public ReadOnlyMemory<byte> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
            if (index < _released)
            {
                throw new InvalidOperationException($"Frame {index} of the commit was released; the replay reads its frames in order.");
            }

            while (_read <= index)
            {
                // The first pass validated this very frame: failing now means the log changed under the open.
                if (!reader.TryReadFrame(out var frame, out var payload) || frame.Version != version)
                {
                    throw new CorruptionException(
                        ErrorCode.Corruption,
                        $"Frame {_read} of commit {version} in the write-ahead log in '{directory}' validated when recovery first read it but not when it read it again to replay it.")
                    {
                        FilePath = directory,
                    };
                }

                _frames[_read++] = payload;
                MostHeld = Math.Max(MostHeld, ++_held);
            }

            return _frames[index];
        }
    }

    /// <summary>The replay needs no frame before <paramref name="index"/> any more.</summary>
    public void Release(int index)
    {
        while (_released < Math.Min(index, _read))
        {
            _frames[_released++] = null;
            _held--;
        }
    }

    public IEnumerator<ReadOnlyMemory<byte>> GetEnumerator()
    {
        for (var i = _released; i < count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
