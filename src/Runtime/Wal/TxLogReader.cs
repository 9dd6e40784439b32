namespace Persistence.Wal;

/// <summary>Decodes the operations of a <see cref="TxLog"/> from its payload segments (in memory, or read from WAL frames).</summary>
internal struct TxLogReader(IReadOnlyList<ReadOnlyMemory<byte>> payloads)
{
    private int _segment;
    private int _offset;

    /// <summary>The payload segment the next operation starts in (or, when the previous one ended a segment, the one before).</summary>
    public readonly int Segment => _segment;

    /// <summary>Reads the next operation; false at the end. Throws <see cref="FormatException"/> on malformed input.</summary>
    public bool TryRead(out LogOp op)
    {
        while (_segment < payloads.Count && _offset >= payloads[_segment].Length)
        {
            _segment++;
            _offset = 0;
        }

        if (_segment >= payloads.Count)
        {
            op = default;
            return false;
        }

        var span = payloads[_segment].Span;
        var kind = (LogOpKind)span[_offset++];
        var keyspace = (int)ReadVarint(span);
        ReadOnlyMemory<byte> key = default;
        ReadOnlyMemory<byte> value = default;
        switch (kind)
        {
            case LogOpKind.Put:
                key = ReadKey(span);
                value = ReadValue((int)ReadVarint(payloads[_segment].Span));
                break;
            case LogOpKind.Delete:
            case LogOpKind.CreateKeyspace:
                key = ReadKey(span);
                break;
            case LogOpKind.DropKeyspace:
                break;
            default:
                throw new FormatException($"unknown operation kind {(int)kind}");
        }

        op = new LogOp(kind, keyspace, key, value);
        return true;
    }

    private ReadOnlyMemory<byte> ReadKey(ReadOnlySpan<byte> span)
    {
        var length = (int)ReadVarint(span);
        if (length > span.Length - _offset)
        {
            throw new FormatException("a key runs past the end of its frame");
        }

        var key = payloads[_segment].Slice(_offset, length);
        _offset += length;
        return key;
    }

    /// <summary>A value may continue in the following segments; such a value is copied into one array.</summary>
    private ReadOnlyMemory<byte> ReadValue(int length)
    {
        var segment = payloads[_segment];
        if (segment.Length - _offset >= length)
        {
            var value = segment.Slice(_offset, length);
            _offset += length;
            return value;
        }

        var copy = new byte[length];
        var filled = 0;
        while (filled < length)
        {
            if (_segment >= payloads.Count)
            {
                throw new FormatException("a value runs past the end of the log");
            }

            var available = payloads[_segment].Length - _offset;
            var n = Math.Min(available, length - filled);
            payloads[_segment].Span.Slice(_offset, n).CopyTo(copy.AsSpan(filled));
            filled += n;
            _offset += n;
            if (_offset == payloads[_segment].Length && filled < length)
            {
                _segment++;
                _offset = 0;
            }
        }

        return copy;
    }

    private uint ReadVarint(ReadOnlySpan<byte> span)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (_offset >= span.Length)
            {
                throw new FormatException("a varint runs past the end of its frame");
            }

            var b = span[_offset++];
            result |= (uint)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new FormatException("a varint is longer than five bytes");
    }
}
