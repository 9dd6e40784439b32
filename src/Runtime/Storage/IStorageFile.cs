namespace Persistence.Storage;

/// <summary>
/// One open file. Every byte Persistence reads or writes goes through this interface, so that tests can substitute a
/// simulated file that loses power, tears writes and fails on demand.
/// </summary>
/// <remarks>
/// Contract: <see cref="Write(long, ReadOnlySpan{byte})"/> may be reordered with other unsynced writes and may be
/// lost or torn by a crash until <see cref="Flush"/> returns. After <see cref="Flush"/> returns, every earlier write
/// (and the file length) is durable. If <see cref="Flush"/> throws, the durability of earlier writes is unknown and
/// must not be assumed by retrying: the caller makes the database read-only.
/// </remarks>
internal interface IStorageFile : IDisposable
{
    /// <summary>The path the file was opened with (for messages).</summary>
    string Path { get; }

    /// <summary>The current length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns the count read (short only at end of file).</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, extending the file if needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Writes the buffers back to back starting at <paramref name="offset"/> (a vectored write).</summary>
    void Write(long offset, IReadOnlyList<ReadOnlyMemory<byte>> buffers);

    /// <summary>Sets the file length, truncating or extending with zeros.</summary>
    void SetLength(long length);

    /// <summary>Makes every earlier write and the current length durable (fdatasync).</summary>
    void Flush();
}
