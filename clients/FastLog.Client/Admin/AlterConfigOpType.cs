namespace FastLog.Client.Admin;

/// <summary>What an incremental config change does, numbered as IncrementalAlterConfigs sends it.</summary>
public enum AlterConfigOpType : sbyte
{
    /// <summary>Set the value.</summary>
    Set = 0,

    /// <summary>Remove the override, so the default (or broker setting) applies again.</summary>
    Delete = 1,

    /// <summary>Add items to a list config (e.g. <c>cleanup.policy</c>); items already present are kept once.</summary>
    Append = 2,

    /// <summary>Remove items from a list config.</summary>
    Subtract = 3,
}
