using Persistence.Storage;

namespace Persistence.Wal;

/// <summary>
/// Reads the log forward from a checkpoint's start LSN, validating every frame (chained header checksum, LSN, payload
/// checksum). The log ends at the first frame that does not validate or at a missing segment after which none exists;
/// a missing segment with a later one is <see cref="CorruptionException"/>.
/// </summary>
internal sealed class WalReader(WalSegments segments, long startLsn, uint seed, int maxPayload)
{
    private const int BlockSize = 1 << 20;
    private readonly byte[] _header = new byte[WalFrame.HeaderSize];
    private IStorageFile? _file;
    private long _fileIndex = -1;
    private byte[] _block = new byte[BlockSize];
    private long _blockStart = -1;
    private int _blockLength;

    /// <summary>The position after the last valid frame read.</summary>
    public long Position { get; private set; } = startLsn;

    /// <summary>The frame checksum of the last valid frame read (the chain seed for the next).</summary>
    public uint Chain { get; private set; } = seed;

    /// <summary>
    /// Goes back to <paramref name="lsn"/>, where a frame chained to <paramref name="chain"/> starts, to read frames
    /// again (keeping the block read last, whose bytes do not change).
    /// </summary>
    public void Reset(long lsn, uint chain)
    {
        Position = lsn;
        Chain = chain;
    }

    /// <summary>Reads the next data frame, following segment-end markers. False at the end of the valid log.</summary>
    public bool TryReadFrame(out FrameInfo info, out byte[] payload)
    {
        payload = [];
        while (true)
        {
            var index = segments.IndexOf(Position);
            if (index != _fileIndex)
            {
                _file = segments.TryOpen(index);
                _fileIndex = index;
                _blockStart = -1;
                if (_file is null && segments.ExistsAfter(index))
                {
                    throw MissingSegment(index);
                }
            }

            if (_file is null || !TryReadAt(segments.OffsetOf(Position), _header)
                || !WalFrame.TryRead(_header, Chain, Position, maxPayload, out info))
            {
                info = default;
                return false;
            }

            if (info.Kind == WalFrameKind.SegmentEnd)
            {
                Chain = info.Checksum;
                Position = (index + 1) * segments.SegmentSize;
                continue;
            }

            payload = new byte[info.PayloadLength];
            if (!TryReadAt(segments.OffsetOf(Position) + WalFrame.HeaderSize, payload)
                || Checksum.Compute(payload) != info.PayloadCrc)
            {
                return false;
            }

            Chain = info.Checksum;
            Position += WalFrame.HeaderSize + info.PayloadLength;
            return true;
        }
    }

    /// <summary>
    /// A segment the log needs is missing but a later one exists. The log never leaves such a gap (segments are made in
    /// order and recycled only below a durable checkpoint's start): the segment was deleted, or the newest meta page is
    /// damaged and the open fell back to the checkpoint before it, whose log that newest checkpoint recycled. Ending the
    /// log here would silently drop commits that the lost checkpoint holds.
    /// </summary>
    private CorruptionException MissingSegment(long index) =>
        new(ErrorCode.Corruption,
            $"The write-ahead log in '{segments.Directory}' is missing segment {WalSegments.NameOf(index)} although later segments exist: a segment was deleted, or the newest meta page is damaged and the log of the checkpoint before it was already recycled.")
        {
            FilePath = segments.Directory,
        };

    private bool TryReadAt(long offset, Span<byte> destination)
    {
        if (offset + destination.Length > segments.SegmentSize)
        {
            return false;
        }

        if (destination.Length > _block.Length)
        {
            _block = new byte[destination.Length];
            _blockStart = -1;
        }

        if (_blockStart < 0 || offset < _blockStart || offset + destination.Length > _blockStart + _blockLength)
        {
            var length = (int)Math.Min(_block.Length, segments.SegmentSize - offset);
            _blockLength = _file!.Read(offset, _block.AsSpan(0, length));
            _blockStart = offset;
            if (_blockLength < destination.Length)
            {
                return false;
            }
        }

        _block.AsSpan((int)(offset - _blockStart), destination.Length).CopyTo(destination);
        return true;
    }
}
