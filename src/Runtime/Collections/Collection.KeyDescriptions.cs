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
    /// A primary key for a message. A key of one part is written from its value (an enum by its name); a composite key
    /// (a generated record struct, whose own ToString neither quotes nor separates its parts unambiguously) by its
    /// parts as its encoding reads them back, or as it prints itself when the schema does not name its encodings.
    /// </summary>
    private string Describe(TKey key)
    {
        if (Schema.KeyEncodings.Count > 1)
        {
            try
            {
                if (KeyDescription.Parts(EncodeKey(key), Schema.KeyEncodings) is { } parts)
                {
                    return parts;
                }
            }
            catch (PersistenceSerializationException)
            {
                // a part the key cannot hold (a null string): printed as the key prints itself
            }
        }

        return KeyDescription.Format(key);
    }
}
