using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Persistence.Benchmarks.Data;

namespace Persistence.Benchmarks.Peers.EfCore;

/// <summary>
/// The EF Core model of the same schema the SQLite peer creates: table <c>users</c> with Id as the rowid primary key
/// (never generated), CreatedAt as ticks, Tags as one comma-joined text column, a unique index on Email and an index
/// on Age.
/// </summary>
internal sealed class UsersContext : DbContext
{
    private static readonly ValueComparer<List<string>> TagsComparer = new(
        (a, b) => a!.SequenceEqual(b!),
        tags => tags.Aggregate(0, (hash, tag) => HashCode.Combine(hash, tag.GetHashCode(StringComparison.Ordinal))),
        tags => tags.ToList());

    public UsersContext(DbContextOptions<UsersContext> options)
        : base(options)
    {
    }

    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.Id).ValueGeneratedNever();
            user.Property(u => u.Email).IsRequired();
            user.Property(u => u.Name).IsRequired();
            user.Property(u => u.CreatedAt).HasConversion(v => v.Ticks, v => new DateTime(v, DateTimeKind.Utc));
            user.Property(u => u.Tags).HasConversion(v => TagText.Join(v), v => TagText.Split(v), TagsComparer);
            user.HasIndex(u => u.Email).IsUnique();
            user.HasIndex(u => u.Age);
        });
    }
}
