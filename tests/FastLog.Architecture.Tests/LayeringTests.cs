using System.Reflection;
using System.Xml.Linq;
using FastLog.Engine.Log;
using FastLog.Format;

namespace FastLog.Architecture.Tests;

/// <summary>
/// The layering contract of the solution: the storage engine and the record format never depend on
/// the server or the clients, nor the engine on a metrics library. Checked twice: on the compiled
/// assemblies' references, and on the project files under engine/ (so a reference is caught even
/// before any type is used).
/// </summary>
public sealed class LayeringTests
{
    private static readonly string[] ForbiddenPrefixes = ["FastLog.Server", "FastLog.Broker", "FastLog.Client", "FastLog.Protocol"];

    [Fact]
    public void Engine_assembly_references_neither_server_nor_clients()
    {
        AssertNoForbiddenReference(typeof(LogConfig).Assembly);
    }

    [Fact]
    public void Engine_references_no_metrics_library()
    {
        // The engine reports fsyncs through IFlushObserver; turning them into metrics is the host's business.
        string[] telemetry = ["Prometheus", "prometheus-net", "OpenTelemetry", "App.Metrics"];
        var references = typeof(LogConfig).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(references, r => telemetry.Any(t => r.Name!.StartsWith(t, StringComparison.OrdinalIgnoreCase)));
        string root = FindRepositoryRoot();
        foreach (string project in Directory.GetFiles(Path.Combine(root, "engine"), "*.csproj", SearchOption.AllDirectories))
        {
            foreach (var package in XDocument.Load(project).Descendants("PackageReference"))
            {
                string name = package.Attribute("Include")!.Value;
                Assert.False(telemetry.Any(t => name.StartsWith(t, StringComparison.OrdinalIgnoreCase)), $"{project} references the metrics package {name}");
            }
        }
    }

    [Fact]
    public void Format_assembly_references_nothing_of_fastlog()
    {
        var references = typeof(RecordBatchHeader).Assembly.GetReferencedAssemblies();
        Assert.DoesNotContain(references, r => r.Name!.StartsWith("FastLog.", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_assembly_references_neither_engine_nor_server()
    {
        var references = typeof(FastLog.Client.KafkaConnection).Assembly.GetReferencedAssemblies();
        Assert.Contains(references, r => r.Name == "FastLog.Protocol");
        Assert.DoesNotContain(references, r => r.Name is "FastLog.Engine" or "FastLog.Server" or "FastLog.Broker");
    }

    [Fact]
    public void Engine_projects_reference_only_engine_projects()
    {
        string root = FindRepositoryRoot();
        var projects = Directory.GetFiles(Path.Combine(root, "engine"), "*.csproj", SearchOption.AllDirectories);
        Assert.NotEmpty(projects);
        foreach (string project in projects)
        {
            var doc = XDocument.Load(project);
            foreach (var reference in doc.Descendants("ProjectReference"))
            {
                string include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include));
                string relative = Path.GetRelativePath(root, full).Replace('\\', '/');
                Assert.True(relative.StartsWith("engine/", StringComparison.Ordinal), $"{project} references {relative}, outside engine/");
            }
        }
    }

    private static void AssertNoForbiddenReference(Assembly assembly)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            foreach (string prefix in ForbiddenPrefixes)
            {
                Assert.False(reference.Name!.StartsWith(prefix, StringComparison.Ordinal), $"{assembly.GetName().Name} references {reference.Name}");
            }
        }
    }

    private static string FindRepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "FastLog.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("FastLog.sln not found above the test directory");
    }
}
