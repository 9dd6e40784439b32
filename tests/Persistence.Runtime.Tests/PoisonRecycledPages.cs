using System.Runtime.CompilerServices;
using Persistence.Storage;

namespace Persistence.Tests;

/// <summary>Every engine test runs with recycled page buffers poisoned (see <see cref="PagePool.Poison"/>).</summary>
internal static class PoisonRecycledPages
{
    [ModuleInitializer]
    internal static void Enable() => PagePool.Poison = true;
}
