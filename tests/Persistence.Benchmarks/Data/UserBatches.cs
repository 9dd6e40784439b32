using System.Diagnostics;

namespace Persistence.Benchmarks.Data;

/// <summary>The users with Ids <c>[first, first + count)</c> of <see cref="UserFactory"/>, in batches (see <see cref="DocumentBatches{T}"/>).</summary>
internal sealed class UserBatches(UserFactory factory, long first, long count, Stopwatch? timer = null, int batchSize = 10_000)
    : DocumentBatches<User>(factory.Create, first, count, timer, batchSize);
