namespace Persistence.Ttl;

/// <summary>A collection whose documents can expire, as the collector sees it.</summary>
internal interface ITtlCollection
{
    string Name { get; }

    /// <summary>Deletes up to <paramref name="batchSize"/> documents expired at <paramref name="now"/> in one transaction; returns how many.</summary>
    int CollectExpired(int batchSize, DateTimeOffset now);

    /// <summary>Writes the expiries that reads extended (sliding expiration); returns how many documents were updated.</summary>
    int FlushAccesses();
}
