using Persistence.Generators.Tests.Golden.AllTypes;
using Persistence.Serialization;

namespace Persistence.Generators.Tests.Runtime;

/// <summary>Random inserts, updates and deletes; after each batch every generated index agrees with an in-memory model.</summary>
public sealed class IndexConsistencyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Indexes_agree_with_a_model_after_random_changes(int seed)
    {
        var random = new Random(seed);
        using var db = Database.OpenInMemory();
        var samples = new SampleCollection(db);
        var model = new Dictionary<Guid, Sample>();
        var ids = Enumerable.Range(0, 40).Select(i => new Guid(i, 0, 0, new byte[8])).ToArray();
        for (var round = 0; round < 25; round++)
        {
            using (var tx = db.BeginWrite())
            {
                for (var op = 0; op < 30; op++)
                {
                    var id = ids[random.Next(ids.Length)];
                    var code = random.Next(3) == 0 ? null : "c" + random.Next(30);
                    var sample = new Sample
                    {
                        Id = id, Code = code, Int32 = random.Next(4), Text = "t" + random.Next(3), NullableInt32 = random.Next(3) == 0 ? null : random.Next(5),
                        Color = (Color)(random.Next(3) - 1), Data = [(byte)random.Next(3), 0],
                    };
                    var codeTaken = code is not null && model.Values.Any(s => s.Id != id && s.Code == code);
                    if (random.Next(4) == 0)
                    {
                        Assert.Equal(model.Remove(id), samples.Delete(id, tx));
                    }
                    else if (codeTaken)
                    {
                        Assert.Throws<UniqueConstraintException>(() => samples.Upsert(sample, tx));
                    }
                    else if (model.ContainsKey(id) && random.Next(2) == 0)
                    {
                        // Get, change, Update, as an application edits a document: the update must remove the stored
                        // version's index entries, which Get remembered, and not the changed object's. Sometimes the
                        // document is updated in between, which makes what Get remembered stale.
                        var read = samples.Get(id, tx)!;
                        if (random.Next(3) == 0)
                        {
                            samples.Update(new Sample { Id = id, Code = null, Int32 = 9, Text = "between", Color = Color.Green, Data = [9] }, tx);
                        }

                        (read.Code, read.Int32, read.Text, read.NullableInt32, read.Color, read.Data) =
                            (sample.Code, sample.Int32, sample.Text, sample.NullableInt32, sample.Color, sample.Data);
                        samples.Update(read, tx);
                        model[id] = sample;
                    }
                    else
                    {
                        Assert.Equal(!model.ContainsKey(id), samples.Upsert(sample, tx));
                        model[id] = sample;
                    }
                }

                tx.Commit();
            }

            Verify(samples, model);
        }
    }

    /// <summary>
    /// The stored document reads a DateTime back as UTC, whatever Kind it was written with; the index entry computed
    /// from it to remove the old entry (on update and delete) must be the one computed from the document when written.
    /// </summary>
    [Theory]
    [InlineData(DateTimeKind.Unspecified)]
    [InlineData(DateTimeKind.Local)]
    [InlineData(DateTimeKind.Utc)]
    public void A_DateTime_index_agrees_with_stored_documents_of_any_Kind(DateTimeKind kind)
    {
        using var db = Database.OpenInMemory();
        var samples = new SampleCollection(db);
        var at = new DateTime(2024, 7, 1, 12, 30, 0, kind);
        var sample = new Sample { Id = Guid.NewGuid(), DateTime = at };
        samples.Insert(sample);
        Assert.Empty(samples.CheckConsistency());
        Assert.Equal([sample.Id], samples.ByDateTime.Find(at).Select(s => s.Id));
        Assert.Equal([sample.Id], samples.Query().Where(f => f.DateTime.Is(MessagePackWriter.StoredDateTime(at))).Select(s => s.Id));

        var read = samples.Get(sample.Id)!;
        read.DateTime = at.AddHours(1);
        samples.Update(read);
        Assert.Empty(samples.CheckConsistency());
        Assert.Empty(samples.ByDateTime.Find(at));
        Assert.Equal([sample.Id], samples.ByDateTime.Find(at.AddHours(1)).Select(s => s.Id));

        samples.Delete(sample.Id);
        Assert.Empty(samples.CheckConsistency());
        Assert.Empty(samples.ByDateTime.All());
    }

    private static void Verify(SampleCollection samples, Dictionary<Guid, Sample> model)
    {
        Assert.Equal(model.Count, samples.Count());
        foreach (var sample in model.Values.Where(s => s.Code is not null))
        {
            Assert.Equal(sample.Id, samples.ByCode.Get(sample.Code)?.Id);
        }

        Assert.Null(samples.ByCode.Get(null));
        var byKey = model.Values.OrderBy(s => s.Id).ToList();
        Assert.Equal(byKey.OrderBy(s => s.Int32).ThenBy(s => s.Text, StringComparer.Ordinal).Select(s => s.Id), samples.ByInt32Text.All().Select(s => s.Id));
        foreach (var value in Enumerable.Range(0, 4))
        {
            Assert.Equal(byKey.Where(s => s.Int32 == value).OrderBy(s => s.Text, StringComparer.Ordinal).Select(s => s.Id), samples.ByInt32Text.FindByPrefix(value).Select(s => s.Id));
            Assert.Equal(byKey.Count(s => s.Int32 == value && s.Text == "t1"), samples.ByInt32Text.Count(value, "t1"));
        }

        foreach (var value in new int?[] { null, 0, 1, 2, 3, 4 })
        {
            Assert.Equal(byKey.Where(s => s.NullableInt32 == value).Select(s => s.Id), samples.ByNullableInt32.Find(value).Select(s => s.Id));
        }

        Assert.Equal(byKey.OrderBy(s => s.Color).Select(s => s.Id), samples.ByColor.All().Select(s => s.Id));
        Assert.Equal(byKey.Where(s => s.Color == Color.Red).Select(s => s.Id), samples.Query().Where(f => f.Color.Is(Color.Red)).Select(s => s.Id));
        Assert.Equal(byKey.Where(s => s.Data[0] == 1).Select(s => s.Id), samples.ByData.Find([1, 0]).Select(s => s.Id));
    }
}
