namespace Persistence.Query;

/// <summary>
/// A filter on documents, built from fields (<c>u.Age.AtLeast(18)</c>) and combined with <c>&amp;</c>, <c>|</c> and
/// <c>!</c>. Every condition can be evaluated on a document; the planner also turns the ones on indexed members into
/// index ranges.
/// </summary>
public abstract class Condition<T>
    where T : class
{
    private protected Condition()
    {
    }

    /// <summary>Both conditions hold.</summary>
    public static Condition<T> operator &(Condition<T> left, Condition<T> right) => new AndCondition<T>(left, right);

    /// <summary>Either condition holds.</summary>
    public static Condition<T> operator |(Condition<T> left, Condition<T> right) => new OrCondition<T>(left, right);

    /// <summary>The condition does not hold (never uses an index).</summary>
    public static Condition<T> operator !(Condition<T> condition) => new NotCondition<T>(condition);

    /// <summary>Both conditions hold (the named form of <c>&amp;</c>).</summary>
    public Condition<T> And(Condition<T> other) => this & other;

    /// <summary>Either condition holds (the named form of <c>|</c>).</summary>
    public Condition<T> Or(Condition<T> other) => this | other;

    /// <summary>True when <paramref name="document"/> satisfies the condition.</summary>
    public abstract bool Matches(T document);

    /// <inheritdoc />
    public abstract override string ToString();
}
