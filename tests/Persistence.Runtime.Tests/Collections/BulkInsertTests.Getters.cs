namespace Persistence.Tests.Collections;

/// <content>
/// One-by-one writes (the baseline the bulk path is compared with) whose user code, run between a document's encoding
/// and its put, writes a document itself on the same thread.
/// </content>
public sealed partial class BulkInsertTests
{
    /// <summary>
    /// The expiry getter of the part being written, which a write reads after encoding the part and before putting it
    /// (an insert in a small transaction, an upsert in any), inserts another part in the same transaction: both read back
    /// as they were written, with their entries. The inner part's encoding is as long as the outer's, so that a write
    /// over the outer's bytes would be committed as a whole document holding the inner part's values.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_write_run_by_the_expiry_getter_leaves_the_written_document_whole(bool upsert)
    {
        var outer = new Part { Id = 1, Code = "c-outer", Tag = "t-outer", ExpiresAt = Start.AddDays(1) };
        var inner = new Part { Id = 2, Code = "c-inner", Tag = "t-inner", ExpiresAt = Start.AddDays(2) };
        HookedParts? parts = null;
        WriteTransaction? tx = null;
        var ran = false;
        parts = new HookedParts(OpenInMemory(), _ => { }, onExpiry: part =>
        {
            if (part.Id == outer.Id && tx is not null && !ran)
            {
                ran = true;
                parts!.Insert(inner, tx);
            }
        });

        using (tx = parts.Database.BeginWrite())
        {
            if (upsert)
            {
                Assert.True(parts.Upsert(outer, tx));
            }
            else
            {
                parts.Insert(outer, tx);
            }

            Assert.Empty(parts.CheckConsistency(tx));
            tx.Commit();
        }

        Assert.True(ran);
        Assert.All([outer, inner], p => Assert.Equal((p.Code, p.Tag, p.ExpiresAt), Stored(p.Id)));
        Assert.Empty(parts.CheckConsistency());

        (string, string, DateTimeOffset?)? Stored(long id) => parts.Get(id) is { } stored ? (stored.Code, stored.Tag, stored.ExpiresAt) : null;
    }
}
