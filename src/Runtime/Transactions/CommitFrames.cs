using Persistence.Wal;

namespace Persistence.Transactions;

/// <summary>
/// The frames of the commit a log replay is reading (recovery's and the salvage's): a commit is applied only once its
/// last frame validated. Its payloads are held until then, unless they pass <paramref name="maxHeldBytes"/>: then they
/// are counted only, and read a second time as the replay reaches them (<see cref="StreamedFrames"/>).
/// </summary>
/// <param name="segments">The log.</param>
/// <param name="maxPayload">The largest payload a frame may carry.</param>
internal sealed class CommitFrames(WalSegments segments, int maxPayload, long maxHeldBytes)
{
    private readonly List<ReadOnlyMemory<byte>> _held = [];
    private long _bytes;
    private WalReader? _again; // one reader (and block) for every commit read twice

    /// <summary>Frames of the commit read so far.</summary>
    public int Count { get; private set; }

    /// <summary>The commit's version (valid once a frame was added).</summary>
    public long Version { get; private set; }

    /// <summary>The most frames held at once, over every commit.</summary>
    public int MostHeld { get; private set; }

    /// <summary>
    /// Whether <paramref name="frame"/> cannot come next: versions increase strictly from commit to commit (a structural
    /// version, which relocates pages, takes a number but writes no record), and every frame of a commit has its version.
    /// </summary>
    public bool OutOfOrder(FrameInfo frame, long lastVersion) => Count > 0 ? frame.Version != Version : frame.Version <= lastVersion;

    /// <summary>The version a frame out of order should have followed (for the error <see cref="OutOfOrder"/> leads to).</summary>
    public long Preceding(long lastVersion) => Count > 0 ? Version : lastVersion;

    /// <summary>Adds a validated frame; true when it ends its commit.</summary>
    public bool Add(FrameInfo frame, byte[] payload)
    {
        Count++;
        _bytes += payload.Length;
        if (_bytes <= maxHeldBytes)
        {
            _held.Add(payload);
            MostHeld = Math.Max(MostHeld, _held.Count);
        }
        else
        {
            _held.Clear();
        }

        Version = frame.Version;
        return frame.Kind == WalFrameKind.CommitEnd;
    }

    /// <summary>
    /// The payloads of the complete commit, which starts at <paramref name="startLsn"/> (the chain there is
    /// <paramref name="startChain"/>): the held ones, or, past the limit, the commit read again (<c>Streamed</c>).
    /// </summary>
    public (IReadOnlyList<ReadOnlyMemory<byte>> Payloads, StreamedFrames? Streamed) Payloads(long startLsn, uint startChain)
    {
        if (_bytes <= maxHeldBytes)
        {
            return (_held, null);
        }

        _again ??= new WalReader(segments, startLsn, startChain, maxPayload);
        _again.Reset(startLsn, startChain);
        var streamed = new StreamedFrames(_again, Count, Version, segments.Directory);
        return (streamed, streamed);
    }

    /// <summary>Starts the next commit, once the complete one was applied (<paramref name="streamed"/>: how it was read).</summary>
    public void Next(StreamedFrames? streamed)
    {
        MostHeld = Math.Max(MostHeld, streamed?.MostHeld ?? 0);
        _held.Clear();
        Count = 0;
        _bytes = 0;
    }
}
