using System.Globalization;

namespace Persistence.Serialization;

/// <summary>
/// Builds the <see cref="PersistenceSerializationException"/>s thrown by the readers and writers. A reader's message has
/// the shape "Expected X at byte offset N but found Y." so that a failure can be located in a hex dump of the input. A
/// writer's refusal of the value it is given has the shape "Expected X to write as T but found Y at char (or byte) index
/// N of the input.": the index is a place in the value, not a byte offset of the output, which holds nothing of it yet.
/// </summary>
/// <remarks>
/// Methods return the exception instead of throwing it, so call sites read <c>throw SerializationErrors.X(...)</c> and
/// the compiler's flow analysis sees the throw; the message formatting stays out of the hot paths.
/// </remarks>
internal static class SerializationErrors
{
    public static PersistenceSerializationException Create(string expected, int offset, string found) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Expected {expected} at byte offset {offset} but found {found}."));

    public static PersistenceSerializationException Unexpected(string expected, int offset, byte code) =>
        Create(expected, offset, MessagePackCode.Describe(code));

    public static PersistenceSerializationException EndOfInput(string expected, int offset) =>
        Create(expected, offset, "the end of the input");

    public static PersistenceSerializationException Truncated(string what, long needed, int offset, int remaining) =>
        Create(
            string.Create(CultureInfo.InvariantCulture, $"{needed} bytes of {what}"),
            offset,
            string.Create(CultureInfo.InvariantCulture, $"only {remaining} remaining"));

    public static PersistenceSerializationException OutOfRange(string target, int offset, string value) =>
        Create(
            string.Create(CultureInfo.InvariantCulture, $"a value that fits {target}"),
            offset,
            string.Create(CultureInfo.InvariantCulture, $"{value}, which does not"));

    public static PersistenceSerializationException InvalidUtf8(string what, int offset, int badOffset) =>
        Create(
            string.Create(CultureInfo.InvariantCulture, $"valid UTF-8 in the {what}"),
            offset,
            string.Create(CultureInfo.InvariantCulture, $"an invalid sequence at byte offset {badOffset}"));

    /// <summary>A writer's refusal of the value it is given (see the remarks of <see cref="SerializationErrors"/>).</summary>
    public static PersistenceSerializationException Unwritable(string expected, string written, string found, string index) =>
        new(string.Create(CultureInfo.InvariantCulture, $"Expected {expected} to write as {written} but found {found} at {index} of the input."));

    /// <summary>The offset of the first byte of <paramref name="utf8"/> that does not start a valid UTF-8 sequence.</summary>
    public static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int index = 0;
        while (index < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[index..], out _, out int consumed) != System.Buffers.OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }
}
