namespace FastLog.Client.Admin;

/// <summary>One incremental config change.</summary>
/// <param name="Name">Config name.</param>
/// <param name="Operation">Set, delete, append or subtract.</param>
/// <param name="Value">The value (for set), the items (comma-separated, for append and subtract); ignored for delete.</param>
public sealed record AlterConfigOp(string Name, AlterConfigOpType Operation, string? Value = null)
{
    /// <summary>Sets <paramref name="name"/> to <paramref name="value"/>.</summary>
    public static AlterConfigOp Set(string name, string value) => new(name, AlterConfigOpType.Set, value);

    /// <summary>Removes the override of <paramref name="name"/>.</summary>
    public static AlterConfigOp Delete(string name) => new(name, AlterConfigOpType.Delete);
}
