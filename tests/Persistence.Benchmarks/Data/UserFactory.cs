using System.Globalization;

namespace Persistence.Benchmarks.Data;

/// <summary>
/// Generates the data set deterministically: <see cref="Create"/> derives every field of user <c>Id</c> from the seed
/// and the Id alone, so all peers load and query identical documents, and nothing has to be held in memory.
/// </summary>
internal sealed class UserFactory
{
    /// <summary>Ids must stay below this: the email number is a bijection on 27 bits.</summary>
    public const long MaxId = 1L << EmailBits;

    private const int EmailBits = 27;
    private const ulong EmailMask = (1UL << EmailBits) - 1;
    private static readonly DateTime Epoch = new(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private const int CreatedAtRangeSeconds = 5 * 365 * 86_400;

    private static readonly string[] Words =
    [
        "red", "blue", "green", "gold", "admin", "beta", "pro", "free", "trial", "vip", "eu", "us", "asia", "mobile",
        "web", "api", "new", "old", "churn", "loyal", "early", "late", "north", "south", "east", "west", "team",
        "solo", "edu", "gov", "dev", "ops",
    ];

    private readonly ulong _seed;

    public UserFactory(ulong seed) => _seed = seed;

    /// <summary>User <paramref name="id"/> (1 ≤ id &lt; <see cref="MaxId"/>).</summary>
    public User Create(long id)
    {
        var random = new SplitMix64(SplitMix64.Mix(_seed ^ ((ulong)id * 0xD6E8_FEB8_6659_FD93)));
        var bits = random.Next();
        var tags = new List<string>(3)
        {
            Words[(int)(bits & 31)],
            Words[(int)((bits >> 5) & 31)],
            Words[(int)((bits >> 10) & 31)],
        };
        return new User
        {
            Id = id,
            Email = EmailOf(id),
            Name = NewName(ref random),
            Age = 18 + random.NextInt(73),
            CreatedAt = Epoch.AddSeconds(random.NextInt(CreatedAtRangeSeconds)),
            Tags = tags,
        };
    }

    /// <summary>
    /// The unique email of user <paramref name="id"/>: its number is a seeded bijection of the Id on 27 bits
    /// (multiply by odd constants, xor-shift), so emails are unique, about 24 characters, and unrelated to Id order.
    /// </summary>
    public string EmailOf(long id)
    {
        if ((ulong)id >= MaxId)
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, "Ids must be below 2^27 for unique emails.");
        }

        var x = ((ulong)id ^ (_seed & EmailMask)) & EmailMask;
        x = (x * 0x2E5B_F271) & EmailMask;
        x ^= x >> 13;
        x = (x * 0x1B87_3593) & EmailMask;
        x ^= x >> 11;
        return string.Create(CultureInfo.InvariantCulture, $"user{x}@example.com");
    }

    /// <summary>A name of 14 to 18 letters, capitalized: "about 16 characters".</summary>
    public static string NewName(ref SplitMix64 random)
    {
        var length = 14 + random.NextInt(5);
        var bits = random.Next();
        return string.Create(length, bits, static (span, seed) =>
        {
            var r = new SplitMix64(seed);
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)('a' + r.NextInt(26));
            }

            span[0] = char.ToUpperInvariant(span[0]);
        });
    }
}
