using System.Text;
using Persistence;

// Creates (or reopens) a database in ./data, adds a few users, and reads them back by key and by prefix.
// Run it twice: the second run finds the users of the first.
var path = Path.Combine(args.Length > 0 ? args[0] : "data", "quickstart.db");
Directory.CreateDirectory(Path.GetDirectoryName(path)!);

using var db = Database.Open(path);
using (var read = db.BeginRead())
{
    Console.WriteLine(read.TryGetKeyspace("users", out var existing)
        ? $"Reopened {path}: {read.Count(existing)} users from earlier runs."
        : $"Created {path}.");
}

// Write transactions commit atomically; Write retries automatically if another writer touched the same keys.
var run = db.Write(tx =>
{
    var users = tx.GetOrCreateKeyspace("users");
    var runs = tx.GetOrCreateKeyspace("runs");
    var number = tx.Count(runs) + 1;
    tx.Put(runs, Encoding.UTF8.GetBytes($"run:{number:D4}"), Encoding.UTF8.GetBytes(DateTimeOffset.UtcNow.ToString("O")));
    foreach (var name in new[] { "ada", "grace", "linus" })
    {
        tx.Put(users, Encoding.UTF8.GetBytes($"user:{name}:{number:D4}"), Encoding.UTF8.GetBytes($"{name}, added by run {number}"));
    }

    return number;
});
Console.WriteLine($"Run {run} added 3 users.");

// A read transaction is a consistent snapshot; cursors walk keys in order, here within a prefix.
using (var read = db.BeginRead())
{
    var users = read.GetKeyspace("users");
    Console.WriteLine($"All users whose key starts with \"user:ada\" ({read.Count(users)} users in total):");
    foreach (var (key, value) in read.Scan(users, KeyRange.Prefix("user:ada"u8)))
    {
        Console.WriteLine($"  {Encoding.UTF8.GetString(key)} = {Encoding.UTF8.GetString(value)}");
    }
}
