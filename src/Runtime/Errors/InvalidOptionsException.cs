namespace Persistence;

/// <summary>An option has a value that cannot work; the message names the option and the accepted range.</summary>
public sealed class InvalidOptionsException : PersistenceException
{
    /// <summary>Creates the exception.</summary>
    public InvalidOptionsException(string option, string message)
        : base(ErrorCode.InvalidOptions, message)
    {
        Option = option;
    }

    /// <summary>The name of the offending option.</summary>
    public string Option { get; }
}
