namespace Persistence.Tests.Collections;

/// <summary>Random inserts, updates, upserts and deletes, with the indexes checked against a model after every batch.</summary>
public sealed class IndexConsistencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Indexes_agree_with_documents_after_random_changes(int seed)
    {
        var random = new Random(seed);
        using var db = Database.OpenInMemory();
        var users = new UserCollection(db);
        var model = new Dictionary<long, (string Email, int Age)>();
        for (var round = 0; round < 30; round++)
        {
            using (var tx = db.BeginWrite())
            {
                for (var op = 0; op < 40; op++)
                {
                    var id = random.Next(60);
                    var email = $"user{random.Next(80)}@example.com";
                    var age = random.Next(18, 25);
                    var emailTaken = model.Any(p => p.Key != id && p.Value.Email == email);
                    switch (random.Next(6))
                    {
                        // Get, change, Update: the update takes the stored index values Get remembered, not the changed object's.
                        case 4 when model.ContainsKey(id) && !emailTaken:
                            var read = users.Get(id, tx)!;
                            (read.Email, read.Age) = (email, age);
                            users.Update(read, tx);
                            model[id] = (email, age);
                            break;

                        // A write between Get and Update (here an update of the same document) makes what Get remembered stale.
                        case 5 when model.ContainsKey(id) && !emailTaken:
                            var first = users.Get(id, tx)!;
                            var between = $"between{random.Next(1000)}@example.com";
                            users.Update(new User { Id = id, Email = between, Age = age + 1 }, tx);
                            (first.Email, first.Age) = (email, age);
                            users.Update(first, tx);
                            model[id] = (email, age);
                            break;

                        case 0 when !model.ContainsKey(id) && !emailTaken:
                            users.Insert(new User { Id = id, Email = email, Age = age }, tx);
                            model[id] = (email, age);
                            break;
                        case 1 when model.ContainsKey(id) && !emailTaken:
                            users.Update(new User { Id = id, Email = email, Age = age }, tx);
                            model[id] = (email, age);
                            break;
                        case 2 when !emailTaken:
                            Assert.Equal(!model.ContainsKey(id), users.Upsert(new User { Id = id, Email = email, Age = age }, tx));
                            model[id] = (email, age);
                            break;
                        case 3:
                            Assert.Equal(model.Remove(id), users.Delete(id, tx));
                            break;
                        default:
                            if (emailTaken)
                            {
                                Assert.Throws<UniqueConstraintException>(() => users.Upsert(new User { Id = id, Email = email, Age = age }, tx));
                            }

                            break;
                    }
                }

                tx.Commit();
            }

            Verify(users, model, $"seed {seed} round {round}");
        }

        TestDatabases.AssertConsistent(db);
    }

    private static void Verify(UserCollection users, Dictionary<long, (string Email, int Age)> model, string context)
    {
        Assert.Equal(model.Count, users.Count());
        foreach (var (id, (email, age)) in model)
        {
            Assert.True(users.ByEmail.Get(email)?.Id == id, $"{context}: email {email}");
        }

        foreach (var age in Enumerable.Range(18, 7))
        {
            var expected = model.Where(p => p.Value.Age == age).Select(p => p.Key).Order().ToList();
            Assert.Equal(expected, users.ByAge.Find(age).Select(u => u.Id).ToList());
            Assert.Equal(expected.Count, users.ByAge.Count(age));
        }

        Assert.Equal(model.Count, users.ByAge.All().Count());
        Assert.Equal(model.OrderBy(p => p.Value.Age).ThenBy(p => p.Key).Select(p => p.Key), users.ByAge.All().Select(u => u.Id));
    }
}
