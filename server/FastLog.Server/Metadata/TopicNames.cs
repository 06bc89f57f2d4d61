namespace FastLog.Server.Metadata;

/// <summary>Kafka's topic name rules: 1-249 characters of [a-zA-Z0-9._-], not "." or "..".</summary>
public static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Null when the name is legal, else why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "topic name is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"topic name is longer than {MaxLength} characters";
        }

        if (name is "." or "..")
        {
            return "topic name cannot be '.' or '..'";
        }

        foreach (char c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"topic name '{name}' contains '{c}'; legal characters are ASCII letters, digits, '.', '_' and '-'";
            }
        }

        return null;
    }
}
