using FastLog.Protocol.Generator;

// Usage: dotnet run --project clients/FastLog.Protocol.Generator -- <repository root>
// Reads clients/FastLog.Protocol/Schema/*.schema and rewrites the generated codecs and test samples.
string root = Path.GetFullPath(args.Length > 0 ? args[0] : ".");
string protocolDir = Path.Combine(root, "clients", "FastLog.Protocol");
string schemaDir = Path.Combine(protocolDir, "Schema");
string messagesDir = Path.Combine(protocolDir, "Messages");
string samplesPath = Path.Combine(root, "tests", "FastLog.Protocol.Tests", "Generated", "SampleMessages.g.cs");
if (!Directory.Exists(schemaDir))
{
    Console.Error.WriteLine($"No schema directory under {root}; pass the repository root.");
    return 1;
}

var messages = Directory.GetFiles(schemaDir, "*.schema")
    .Order(StringComparer.Ordinal)
    .SelectMany(SchemaParser.ParseFile)
    .ToList();

Directory.CreateDirectory(messagesDir);
foreach (string stale in Directory.GetFiles(messagesDir, "*.g.cs"))
{
    File.Delete(stale);
}

foreach (MessageSpec message in messages)
{
    File.WriteAllText(Path.Combine(messagesDir, message.Name + ".g.cs"), CodeEmitter.Emit(message));
}

File.WriteAllText(Path.Combine(messagesDir, "KafkaApis.g.cs"), TableEmitter.EmitDispatch(messages));
File.WriteAllText(
    Path.Combine(protocolDir, "ApiVersionTable.g.cs"),
    TableEmitter.EmitVersionTable(messages.Where(m => m.IsRequest).ToList()));
Directory.CreateDirectory(Path.GetDirectoryName(samplesPath)!);
File.WriteAllText(samplesPath, SampleEmitter.Emit(messages));
Console.WriteLine($"Generated {messages.Count} messages.");
return 0;
