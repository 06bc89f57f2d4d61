namespace FastLog.Client.Serialization;

/// <summary>
/// The type of a key or value that is always null; <see cref="Deserializers.Null"/> refuses anything else.
/// </summary>
public sealed class Null
{
    private Null()
    {
    }
}
