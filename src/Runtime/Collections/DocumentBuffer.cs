using System.Buffers;

namespace Persistence.Collections;

/// <summary>
/// A per-thread buffer for serializing one document at a time. Serialization and the put that copies the bytes run
/// synchronously on one thread, so the buffer is never shared and never held across an await.
/// </summary>
/// <remarks>
/// A serializer reads the document's getters, and a getter may itself write a document (an <c>InsertMany</c> of its
/// own) on the same thread: <see cref="Take"/> holds the buffer while a document is serialized into it, so that such a
/// write serializes into another instead of over the bytes under way. A write that runs user code between a document's
/// encoding and its put (an expiry getter, the decoding of documents it checks) holds the buffer until the put
/// (<see cref="Hold"/>), as does a key move that writes a document's bytes while reading its getters.
/// </remarks>
internal static class DocumentBuffer
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    /// <summary>The thread's buffer, emptied: its bytes stay until the thread's next <see cref="Rent"/> or <see cref="Take"/>.</summary>
    private static ArrayBufferWriter<byte> Rent()
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>
    /// The thread's buffer, emptied, held until <see cref="Return"/>: meanwhile another write on the thread gets a buffer
    /// of its own.
    /// </summary>
    private static ArrayBufferWriter<byte> Take()
    {
        var buffer = Rent();
        t_buffer = null;
        return buffer;
    }

    /// <summary>Gives back the buffer <see cref="Take"/> held: its bytes stay as <see cref="Rent"/>'s do.</summary>
    private static void Return(ArrayBufferWriter<byte> buffer) => t_buffer = buffer;

    /// <summary>
    /// <see cref="Take"/> for the scope of a <c>using</c>: the buffer is given back (<see cref="Return"/>) when the hold
    /// is disposed, however the scope ends.
    /// </summary>
    public static Held Hold() => new(Take());

    /// <summary>The thread's buffer, held by <see cref="Hold"/> until disposed.</summary>
    public readonly ref struct Held(ArrayBufferWriter<byte> buffer)
    {
        /// <summary>The held buffer, emptied when it was taken.</summary>
        public ArrayBufferWriter<byte> Buffer { get; } = buffer;

        /// <summary>Gives the buffer back to the thread.</summary>
        public void Dispose() => Return(Buffer);
    }
}
