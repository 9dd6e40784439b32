using System.Globalization;

namespace Persistence.Tests.Docs;

/// <summary>
/// docs/ERRORS.md lists every <see cref="ErrorCode"/> with its value and the exception it is thrown as. The values are
/// a public contract ("never renumbered"), so the table pins them: a code added without a row, renumbered or removed
/// fails here, as does a row naming an exception type that is not a <see cref="PersistenceException"/>.
/// </summary>
public sealed class ErrorCodeDocsTests
{
    private static IReadOnlyList<string[]> Rows() =>
        RepositoryDocs.TableAfter(RepositoryDocs.Read("docs/ERRORS.md"), "# Error codes");

    [Fact]
    public void The_table_lists_every_code_with_its_value_in_order()
    {
        var documented = Rows().Select(row => (Name: row[0].Trim('`'), Value: int.Parse(row[1], CultureInfo.InvariantCulture)));
        var declared = Enum.GetValues<ErrorCode>().Select(code => (Name: code.ToString(), Value: (int)code));
        Assert.Equal(declared, documented);
    }

    [Fact]
    public void Each_code_is_thrown_as_a_persistence_exception_the_table_names()
    {
        var assembly = typeof(PersistenceException).Assembly;
        foreach (var row in Rows())
        {
            var thrownAs = row[2].Trim('`');
            if (row[0] == "`None`")
            {
                Assert.Equal("never thrown", thrownAs);
                continue;
            }

            var type = assembly.GetType($"Persistence.{thrownAs}");
            Assert.True(type is { IsPublic: true } && typeof(PersistenceException).IsAssignableFrom(type), $"{row[0]}: {thrownAs} is not a public PersistenceException.");
        }
    }

    /// <summary>
    /// <see cref="ErrorCode.CursorClosed"/> said it was also the error of a cursor used after its transaction ended; the
    /// cursor checks its transaction first, which throws <see cref="ErrorCode.TransactionCompleted"/>, as the table says.
    /// </summary>
    [Fact]
    public void A_cursor_used_after_its_transaction_ended_throws_the_transactions_error()
    {
        using var db = Database.OpenInMemory();
        var keyspace = db.Write(tx =>
        {
            var created = tx.CreateKeyspace("k");
            tx.Put(created, [1], [2]);
            return created;
        });
        var read = db.BeginRead();
        var cursor = read.OpenCursor(keyspace);
        Assert.True(cursor.First());
        read.Dispose();
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => cursor.Next()).Code);
        Assert.Equal(ErrorCode.TransactionCompleted, Assert.Throws<TransactionStateException>(() => cursor.Key.ToArray()).Code);

        using var unpositioned = db.BeginRead();
        var past = unpositioned.OpenCursor(keyspace);
        Assert.False(past.Seek([9]));
        Assert.Equal(ErrorCode.CursorClosed, Assert.Throws<TransactionStateException>(() => past.Key.ToArray()).Code);
    }

    /// <summary>
    /// The table's and <see cref="QueryException"/>'s list of queries that cannot run as written: a negative Skip or
    /// Take, a ThenBy with no OrderBy before it, a Where or an ordering after Skip or Take. (Its summary spoke of
    /// "conflicting orderings", which nothing refuses.)
    /// </summary>
    [Fact]
    public void Each_query_the_docs_call_invalid_throws_invalid_query_as_it_is_built()
    {
        using var db = Database.OpenInMemory();
        var users = new Collections.UserCollection(db);
        var refused = new Action[]
        {
            () => users.Query().Skip(-1),
            () => users.Query().Take(-1),
            () => users.Query().ThenBy(u => u.Name),
            () => users.Query().Take(1).Where(u => u.Age.AtLeast(1)),
            () => users.Query().Skip(1).OrderBy(u => u.Name),
        };
        Assert.All(refused, build => Assert.Equal(ErrorCode.InvalidQuery, Assert.Throws<QueryException>(build).Code));
        Assert.Empty(users.Query().OrderBy(u => u.Age).ThenBy(u => u.Name).Skip(0).Take(0).ToList());
    }

    /// <summary>The table's limits of <see cref="ErrorCode.KeyTooLarge"/> and <see cref="ErrorCode.ValueTooLarge"/>: an eighth of a page, and 64 MiB.</summary>
    [Fact]
    public void Keys_are_refused_past_an_eighth_of_a_page_and_values_past_64_MiB()
    {
        using var db = Database.OpenInMemory(new DatabaseOptions { PageSize = 4096 });
        Assert.Equal(64 << 20, Database.MaxValueSize);
        using var tx = db.BeginWrite();
        var keyspace = tx.CreateKeyspace("k");
        tx.Put(keyspace, new byte[4096 / 8], [1]);
        Assert.Equal(ErrorCode.KeyTooLarge, Assert.Throws<LimitExceededException>(() => tx.Put(keyspace, new byte[(4096 / 8) + 1], [1])).Code);
        Assert.Equal(ErrorCode.KeyEmpty, Assert.Throws<LimitExceededException>(() => tx.Put(keyspace, [], [1])).Code);
        Assert.Equal(ErrorCode.ValueTooLarge, Assert.Throws<LimitExceededException>(() => tx.Put(keyspace, [1], new byte[Database.MaxValueSize + 1])).Code);
    }
}
