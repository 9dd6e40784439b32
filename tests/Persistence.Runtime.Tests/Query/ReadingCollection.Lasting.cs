namespace Persistence.Tests.Query;

/// <content>A test-only constructor beside the generated one: the same documents in a collection without expiry.</content>
public sealed partial class ReadingCollection
{
    /// <param name="database">The database.</param>
    /// <param name="expiring">False for the collection "lasting-readings" of the same documents whose ExpiresAt is a plain member (no expiry).</param>
    public ReadingCollection(global::Persistence.Database database, bool expiring)
        : base(database, expiring ? ReadingSchema.Instance : LastingReadingSchema.Instance)
    {
        ByScore = new ByScoreIndex(this);
        ByPrice = new ByPriceIndex(this);
        ByAt = new ByAtIndex(this);
        ByTierScore = new ByTierScoreIndex(this);
        ByName = new ByNameIndex(this);
    }
}
