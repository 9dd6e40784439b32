using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Persistence.Analyzers.Operations;

/// <summary>Reading the <c>transaction</c> argument of runtime calls.</summary>
internal static class Arguments
{
    public const string Transaction = "transaction";

    /// <summary>The value passed for the parameter named <paramref name="name"/>, or null when it was left to its default or passed as a null literal.</summary>
    public static IOperation? Explicit(IInvocationOperation invocation, string name)
    {
        var argument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == name);
        if (argument is null || argument.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return null;
        }

        var value = ValueFlow.Unwrap(argument.Value);
        return value.ConstantValue is { HasValue: true, Value: null } ? null : value;
    }

    /// <summary>True when the invocation has a parameter named <paramref name="name"/>.</summary>
    public static bool Has(IInvocationOperation invocation, string name) => invocation.TargetMethod.Parameters.Any(p => p.Name == name);
}
