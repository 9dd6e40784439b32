using Persistence.Collections;
using Persistence.Serialization;

namespace Persistence.Generators.Tests.Runtime.Calendar;

/// <summary>
/// A document of <see cref="LedgerCollection"/>, whose primary key has the encodings a test gives it. Written by hand
/// rather than generated, so that one type can stand for keys of every part type: the tests store its documents
/// through the key-value API under keys of the earlier encoding, in bytes it cannot decode, and see how the refused
/// move names each key.
/// </summary>
public sealed class Ledger
{
}

/// <summary>A collection of <see cref="Ledger"/> documents under a key of the given encodings (see <see cref="Ledger"/>).</summary>
public sealed class LedgerCollection(Database database, IReadOnlyList<string> keyEncodings)
    : Collection<Ledger, string>(database, new LedgerSchema(keyEncodings));

/// <summary>
/// The schema of <see cref="Ledger"/>: collection "ledgers", no index, the key encodings it is given. A document is an
/// empty map; the key is never read as a value, only described, so the key methods refuse to run.
/// </summary>
internal sealed class LedgerSchema(IReadOnlyList<string> keyEncodings) : DocumentSchema<Ledger, string>("ledgers", [], keyEncodings)
{
    public override string GetKey(Ledger document) => throw new NotSupportedException("A ledger's key is only described.");

    public override void WriteKey(ref KeyWriter writer, string key) => throw new NotSupportedException("A ledger's key is only described.");

    public override string ReadKey(ref KeyReader reader) => throw new NotSupportedException("A ledger's key is only described.");

    public override void Serialize(ref MessagePackWriter writer, Ledger document) => writer.WriteMapHeader(0);

    public override Ledger Deserialize(ref MessagePackReader reader, scoped ReadOnlySpan<byte> primaryKey)
    {
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            reader.Skip();
            reader.Skip();
        }

        return new Ledger();
    }
}
