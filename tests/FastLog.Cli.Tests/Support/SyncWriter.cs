using System.Text;

namespace FastLog.Cli.Tests.Support;

/// <summary>A string writer that a test may read while another thread (a running broker) writes to it.</summary>
internal sealed class SyncWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _gate = new();

    public override Encoding Encoding => Encoding.UTF8;

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return _text.ToString();
            }
        }
    }

    public override void Write(char value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _text.Append(value);
        }
    }

    public override Task WriteLineAsync(string? value)
    {
        lock (_gate)
        {
            _text.Append(value).Append(NewLine);
        }

        return Task.CompletedTask;
    }
}
