namespace FastLog.Client.Admin;

/// <summary>The broker an admin request goes to: its node id (-1 when not known) and the connection to it.</summary>
internal readonly record struct AdminTarget(int NodeId, KafkaConnection Connection);
