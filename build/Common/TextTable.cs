using System.Text;

namespace Crossboard;

/// <summary>A plain aligned table: readable in a terminal, a CI log and a pipe alike.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = new();

    public TextTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.AppendLine(string.Join("  ", cells.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        Line(headers);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in _rows)
        {
            Line(row);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>The same table in Markdown, for a CI's summary page.</summary>
    public string ToMarkdown()
    {
        static string Row(IEnumerable<string> cells) =>
            "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|").ReplaceLineEndings(" ").Trim())) + " |";
        var text = new StringBuilder();
        text.AppendLine(Row(headers));
        text.AppendLine(Row(headers.Select(_ => "---")));
        foreach (var row in _rows)
        {
            text.AppendLine(Row(row));
        }

        return text.ToString();
    }
}
