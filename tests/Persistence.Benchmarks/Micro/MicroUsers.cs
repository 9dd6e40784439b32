using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Micro;

/// <summary>The micro-benchmarks' shared fixture: a file database in a temporary folder with N generated users, checkpointed.</summary>
internal static class MicroUsers
{
    public static (Database Database, UserCollection Users, string Directory) Create(string name, int users, DatabaseOptions? options = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"persistence-micro-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        var database = Database.Open(Path.Combine(directory, "users.db"), options);
        var collection = new UserCollection(database);
        var factory = new UserFactory(20_240_601);
        using (var write = database.BeginWrite(Durability.Buffered))
        {
            collection.InsertMany(Enumerable.Range(1, users).Select(i => factory.Create(i)), write);
            write.Commit();
        }

        database.Checkpoint();
        return (database, collection, directory);
    }
}
