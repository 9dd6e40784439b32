using Persistence.Serialization;

namespace Persistence.Collections;

/// <content>
/// Primary keys in messages, written as <see cref="KeyDescription"/> says: a string part quoted, so that the parts of a
/// composite key and the key itself read unambiguously.
/// </content>
public abstract partial class Collection<T, TKey>
{
    /// <summary>
    /// An encoded primary key for a message: the key as the application writes it, then its bytes; the bytes alone when
    /// it is not a key of this type's encoding (it does not read, or bytes are left after its last part, which would
    /// name it as the key it starts with).
    /// </summary>
    private string DescribeKey(ReadOnlySpan<byte> key)
    {
        var hex = Convert.ToHexString(key);
        try
        {
            var reader = new KeyReader(key);
            var read = Schema.ReadKey(ref reader);
            reader.ReadEnd();
            return $"{Describe(read)} (0x{hex})";
        }
        catch (PersistenceSerializationException)
        {
            return $"0x{hex}"; // stored under an encoding this type does not read
        }
    }

    /// <summary>
    /// A primary key for a message, described as its encoding reads it back, so that a key's value and its stored bytes
    /// print alike (a DateTimeOffset as the instant the key holds, a DateTime in UTC). A key of one part is that value
    /// (an enum by its name); a composite key (a generated record struct, whose own ToString neither quotes nor
    /// separates its parts unambiguously) its parts as their encodings read them (a char part told from a ushort by
    /// where the key's writer wrote a char, an enum part as its number). A key its encoding cannot hold (a null string),
    /// or a composite key whose schema does not name its encodings, prints as it prints itself.
    /// </summary>
    private string Describe(TKey key)
    {
        var charsAt = new List<int>();
        var writer = new KeyWriter(stackalloc byte[KeyBufferSize]);
        try
        {
            writer.RecordCharsAt(charsAt);
            Schema.WriteKey(ref writer, key);
            if (Schema.KeyEncodings.Count <= 1)
            {
                var reader = new KeyReader(writer.WrittenSpan);
                return KeyDescription.Format(Schema.ReadKey(ref reader));
            }

            if (KeyDescription.Parts(writer.WrittenSpan, Schema.KeyEncodings, charsAt) is { } parts)
            {
                return parts;
            }
        }
        catch (PersistenceSerializationException)
        {
            // a part the key cannot hold (a null string): printed as the key prints itself
        }
        finally
        {
            writer.Dispose();
        }

        return KeyDescription.Format(key);
    }
}
