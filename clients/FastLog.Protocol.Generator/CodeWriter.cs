using System.Text;

namespace FastLog.Protocol.Generator;

/// <summary>Indentation-aware line builder for emitted C#.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length == 0)
        {
            _text.Append('\n');
            return;
        }

        _text.Append(' ', _indent * 4).Append(text).Append('\n');
    }

    public void Open(string text)
    {
        Line(text);
        Line("{");
        _indent++;
    }

    /// <summary>Opens a bare block, e.g. a switch section body.</summary>
    public void OpenBlock()
    {
        Line("{");
        _indent++;
    }

    public void Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
