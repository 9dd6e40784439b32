namespace Persistence;

/// <summary>
/// A handle to a named, ordered keyspace of a <see cref="Database"/>. Obtain it from a transaction; it stays valid in
/// later transactions of the same database until the keyspace is deleted.
/// </summary>
/// <remarks>Keys within a keyspace are ordered as unsigned bytes (like memcmp), shorter keys first on a common prefix.</remarks>
public sealed class Keyspace
{
    internal Keyspace(Database database, int id, string name)
    {
        Database = database;
        Id = id;
        Name = name;
    }

    /// <summary>The keyspace's name.</summary>
    public string Name { get; }

    internal Database Database { get; }

    internal int Id { get; }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>Throws when <paramref name="name"/> is not a valid keyspace name: 1 to 255 UTF-8 bytes, no control characters, no surrounding spaces.</summary>
    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string? problem = null;
        if (name.Length == 0)
        {
            problem = "it is empty";
        }
        else if (System.Text.Encoding.UTF8.GetByteCount(name) > 255)
        {
            problem = "it is longer than 255 UTF-8 bytes";
        }
        else if (name.Any(char.IsControl))
        {
            problem = "it contains a control character";
        }
        else if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1]))
        {
            problem = "it starts or ends with white space";
        }

        if (problem is not null)
        {
            throw new KeyspaceException(ErrorCode.InvalidKeyspaceName, $"'{name}' is not a valid keyspace name: {problem}.", name);
        }
    }
}
