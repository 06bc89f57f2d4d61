namespace FastLog.Server.Configuration;

/// <summary>A setting is unknown or invalid; the message names it and says what is wrong. Start-up stops.</summary>
public sealed class BrokerConfigException : Exception
{
    public BrokerConfigException()
    {
    }

    public BrokerConfigException(string message)
        : base(message)
    {
    }

    public BrokerConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
