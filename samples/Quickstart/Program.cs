using Persistence;
using Quickstart;

// Creates (or reopens) a database in ./data, inserts users, queries them by index, and prints the results.
// Run it twice: the second run finds the users of the first, and adds more.
var path = Path.Combine(args.Length > 0 ? args[0] : "data", "quickstart.db");
Directory.CreateDirectory(Path.GetDirectoryName(path)!);

using var db = Database.Open(path);
var users = new UserCollection(db); // generated from [Collection("users")] on User

var existing = users.Count();
Console.WriteLine(existing == 0 ? $"Created {path}." : $"Reopened {path}: {existing} users from earlier runs.");

// One transaction for the batch: all three users are inserted, with both indexes, or none is.
var run = existing / 3 + 1;
users.InsertMany(
[
    new User { Id = (run * 10) + 1, Email = $"ada.{run}@example.com", Name = "Ada Lovelace", Age = 36, Tags = ["math", "engines"] },
    new User { Id = (run * 10) + 2, Email = $"grace.{run}@example.com", Name = "Grace Hopper", Age = 45, Tags = ["compilers"] },
    new User { Id = (run * 10) + 3, Email = $"linus.{run}@example.com", Name = "Linus Torvalds", Age = 28, Tags = ["kernels", "git"] },
]);
Console.WriteLine($"Run {run} inserted 3 users.");

// Lookups through the generated index accessors.
var grace = users.ByEmail.Get($"grace.{run}@example.com")!;
Console.WriteLine($"By email: {grace.Name}, {grace.Age}, tags [{string.Join(", ", grace.Tags)}]");

// A typed query: the planner uses the Age index, and Explain says so.
var query = users.Query().Where(u => u.Age.AtLeast(30)).OrderBy(u => u.Age);
Console.WriteLine($"Plan: {query.Explain()}");
foreach (var user in query)
{
    Console.WriteLine($"  {user.Age,3}  {user.Name,-15} {user.Email}");
}

// Updates and deletes keep the indexes in step, in the same transaction as the document.
grace.Age++;
users.Update(grace);
Console.WriteLine($"Users aged 46: {string.Join(", ", users.ByAge.Find(46).Select(u => u.Email))}");
