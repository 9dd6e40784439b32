using System.Buffers;

namespace Persistence.Collections;

/// <summary>
/// A per-thread buffer for serializing one document at a time. Serialization and the put that copies the bytes run
/// synchronously on one thread, so the buffer is never shared and never held across an await.
/// </summary>
/// <remarks>
/// A serializer reads the document's getters, and a getter may itself write a document (an <c>InsertMany</c> of its
/// own) on the same thread: <see cref="Take"/> holds the buffer while a document is serialized into it, so that such a
/// write serializes into another instead of over the bytes under way.
/// </remarks>
internal static class DocumentBuffer
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The thread's buffer, emptied: its bytes stay until the thread's next <see cref="Rent"/> or <see cref="Take"/>.</summary>
    public static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>
    /// The thread's buffer, emptied, held until <see cref="Return"/>: meanwhile another write on the thread gets a buffer
    /// of its own.
    /// </summary>
    public static ArrayBufferWriter<byte> Take()
    {
        var buffer = Rent();
        t_buffer = null;
        return buffer;
    }

    /// <summary>Gives back the buffer <see cref="Take"/> held: its bytes stay as <see cref="Rent"/>'s do.</summary>
    public static void Return(ArrayBufferWriter<byte> buffer) => t_buffer = buffer;
}
