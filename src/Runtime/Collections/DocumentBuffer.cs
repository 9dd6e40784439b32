using System.Buffers;

namespace Persistence.Collections;

/// <summary>
/// A per-thread buffer for serializing one document at a time. Serialization and the put that copies the bytes run
/// synchronously on one thread, so the buffer is never shared and never held across an await.
/// </summary>
internal static class DocumentBuffer
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        return buffer;
    }
}
