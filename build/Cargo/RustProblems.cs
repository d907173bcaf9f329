using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Crossboard.Cargo;

/// <summary>
/// What in cargo's output is at a place in the app's source, for a CI to show there: rustc's
/// errors (the place is their "-->" line) and the panics of failed tests, in both of Rust's forms.
/// <code>
/// error[E0308]: mismatched types
///  --> src/main.rs:12:22
/// thread 'tests::x' panicked at 'assertion failed: ...', src/lib.rs:35:9      (Rust before 1.73; the message may span lines)
/// thread 'tests::x' panicked at src/lib.rs:35:9:                              (Rust 1.73 on; the message on the next line)
/// </code>
/// Fed line by line as cargo writes. Warnings, errors without a place ("could not compile") and
/// places outside the app's files (a dependency's source) are left out.
/// </summary>
public sealed partial class RustProblems(string appDir)
{
    private const int LongestPanic = 20; // lines of a quoted panic message kept waiting for its place

    private readonly List<SourceProblem> _problems = new();
    private string? _error;
    private (string Thread, StringBuilder Message, int Lines)? _quotedPanic;
    private (string Thread, Match Place)? _placedPanic;

    public IReadOnlyList<SourceProblem> Problems => _problems;

    public void Read(string line)
    {
        line = Ansi().Replace(line, "");
        if (_placedPanic is { } placed)
        {
            _placedPanic = null;
            Add(placed.Place, $"{placed.Thread} panicked: {line.Trim()}");
        }
        else if (_quotedPanic is { } quoted)
        {
            ReadQuotedPanic(quoted, line);
        }
        else if (PanicAtPlace().Match(line) is { Success: true } atPlace)
        {
            _placedPanic = (atPlace.Groups["thread"].Value, atPlace);
        }
        else if (QuotedPanic().Match(line) is { Success: true } panic)
        {
            ReadQuotedPanic((panic.Groups["thread"].Value, new StringBuilder(), 0), panic.Groups["rest"].Value);
        }
        else if (Error().Match(line) is { Success: true } error)
        {
            _error = error.Value;
        }
        else if (_error is not null && Arrow().Match(line) is { Success: true } arrow)
        {
            Add(arrow, _error);
            _error = null;
        }
        else if (!line.StartsWith(' ') && line.Length > 0)
        {
            _error = null; // the next message began before a place was named
        }
    }

    private void ReadQuotedPanic((string Thread, StringBuilder Message, int Lines) panic, string line)
    {
        if (QuoteEnd().Match(line) is { Success: true } end)
        {
            _quotedPanic = null;
            Add(end, $"{panic.Thread} panicked: {panic.Message.Append(end.Groups["message"].Value)}");
        }
        else
        {
            _quotedPanic = panic.Lines < LongestPanic ? (panic.Thread, panic.Message.Append(line).Append('\n'), panic.Lines + 1) : null;
        }
    }

    private void Add(Match place, string message)
    {
        var file = Path.GetFullPath(Path.Combine(appDir, place.Groups["file"].Value));
        if (File.Exists(file))
        {
            _problems.Add(new SourceProblem(file, Number(place, "line"), Number(place, "col"), message));
        }
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^error(\[E\d+\])?: .+$")]
    private static partial Regex Error();

    [GeneratedRegex(@"^\s*--> (?<file>.+):(?<line>\d+):(?<col>\d+)$")]
    private static partial Regex Arrow();

    [GeneratedRegex(@"^thread '(?<thread>[^']*)' panicked at (?<file>[^'\s][^']*):(?<line>\d+):(?<col>\d+):$")]
    private static partial Regex PanicAtPlace();

    [GeneratedRegex(@"^thread '(?<thread>[^']*)' panicked at '(?<rest>.*)$")]
    private static partial Regex QuotedPanic();

    [GeneratedRegex(@"^(?<message>.*)', (?<file>[^,']+):(?<line>\d+):(?<col>\d+)$")]
    private static partial Regex QuoteEnd();

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex Ansi();
}
