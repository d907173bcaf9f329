using Crossboard.Toolchains;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crossboard.Cargo;

/// <summary>A C library the app declares, and where (for messages that point at the line).</summary>
public sealed record DeclaredCLibrary(CLibrary Library, string File, int Line, int Column)
{
    public string Where => $"{File}({Line},{Column})";
}

/// <summary>
/// What an app says about itself to crossboard, in its own Cargo.toml where cargo users keep tool
/// settings (cargo ignores <c>[package.metadata]</c>):
/// <code>
/// [package.metadata.crossboard]
/// c-libraries = ["sqlite3"]   # the target C libraries the app links (through its -sys crates)
/// </code>
/// Read through Tomlyn's syntax tree, so each problem names the file, line and column; the file is
/// never written.
/// </summary>
public static class AppManifest
{
    public const string Table = "package.metadata.crossboard";
    public const string CLibrariesKey = "c-libraries";

    private static readonly string[] Keys = [CLibrariesKey];

    /// <summary>The C libraries <paramref name="appDir"/>'s Cargo.toml declares; none when it declares none (or has no Cargo.toml: cargo says so).</summary>
    public static IReadOnlyList<DeclaredCLibrary> CLibrariesOf(string appDir)
    {
        var path = Path.Combine(appDir, "Cargo.toml");
        if (!File.Exists(path))
        {
            return [];
        }

        return ReadCLibraries(File.ReadAllText(path), path);
    }

    public static IReadOnlyList<DeclaredCLibrary> ReadCLibraries(string text, string path)
    {
        var document = SyntaxParser.Parse(text, path, validate: true);
        if (document.HasErrors)
        {
            var errors = document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error)
                .Select(d => $"  {path}({d.Span.Start.Line + 1},{d.Span.Start.Column + 1}): {d.Message}");
            throw new CrossboardException($"{path} is not valid TOML:{Environment.NewLine}{string.Join(Environment.NewLine, errors)}{Environment.NewLine}Fix the file (cargo reads it too).");
        }

        var problems = new List<SourceProblem>();
        void Problem(SourceSpan span, string message) => problems.Add(new SourceProblem(path, span.Start.Line + 1, span.Start.Column + 1, message));
        var declared = new List<DeclaredCLibrary>();
        var prefix = Table.Split('.');
        foreach (var (keyPath, value, keySpan) in Leaves(document))
        {
            if (keyPath.Length <= prefix.Length || !keyPath.Take(prefix.Length).SequenceEqual(prefix))
            {
                continue;
            }

            var key = string.Join('.', keyPath.Skip(prefix.Length));
            if (key != CLibrariesKey)
            {
                Problem(keySpan, $"[{Table}] has no key '{key}'.{Recipes.NameSuggestions.Hint(key, Keys)} It knows: {string.Join(", ", Keys)}.");
                continue;
            }

            if (value is not ArraySyntax array || array.Items.Any(i => i.Value is not StringValueSyntax))
            {
                Problem(value.Span, $"{CLibrariesKey} must be a list of C library names, e.g. {CLibrariesKey} = [\"sqlite3\"] (known: {string.Join(", ", CLibraries.Names)}).");
                continue;
            }

            foreach (var item in array.Items)
            {
                var name = ((StringValueSyntax)item.Value!).Value ?? "";
                if (CLibraries.Find(name) is not { } library)
                {
                    var hint = CLibraries.Suggest(name) is { } suggestion ? $" Did you mean '{suggestion}'?" : "";
                    Problem(item.Value!.Span, $"'{name}' is not a C library crossboard can provide.{hint} Known: {string.Join(", ", CLibraries.All.Select(l => $"{l.Name} ({l.What})"))}. " +
                        "Name one of them (the library's link name, as in -lsqlite3), or leave the library out of c-libraries and point the build at it yourself.");
                }
                else if (declared.Any(d => d.Library == library))
                {
                    Problem(item.Value!.Span, $"'{name}' is listed twice; list it once.");
                }
                else
                {
                    declared.Add(new DeclaredCLibrary(library, path, item.Value.Span.Start.Line + 1, item.Value.Span.Start.Column + 1));
                }
            }
        }

        if (problems.Count > 0)
        {
            throw new InputException((problems.Count == 1 ? "The app's C libraries are declared wrongly:" : $"{problems.Count} problems in the app's C libraries:") +
                Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => $"  {p.File}({p.Line},{p.Column}): {p.Message}")))
            {
                Problems = problems,
            };
        }

        return declared;
    }

    /// <summary>Every key = value of the document by its full dotted path, inline tables opened.</summary>
    private static IEnumerable<(string[] Path, ValueSyntax Value, SourceSpan KeySpan)> Leaves(DocumentSyntax document)
    {
        var found = new List<(string[], ValueSyntax, SourceSpan)>();
        foreach (var keyValue in document.KeyValues)
        {
            Add([], keyValue, found);
        }

        foreach (var table in document.Tables)
        {
            if (table is TableArraySyntax || table.Name is null)
            {
                continue;
            }

            var prefix = CargoConfigFile.KeyParts(table.Name).ToArray();
            foreach (var keyValue in table.Items)
            {
                Add(prefix, keyValue, found);
            }
        }

        return found;
    }

    private static void Add(string[] prefix, KeyValueSyntax keyValue, List<(string[], ValueSyntax, SourceSpan)> found)
    {
        if (keyValue.Key is null || keyValue.Value is null)
        {
            return;
        }

        string[] path = [.. prefix, .. CargoConfigFile.KeyParts(keyValue.Key)];
        if (keyValue.Value is InlineTableSyntax inline)
        {
            foreach (var item in inline.Items)
            {
                if (item.KeyValue is { } inner)
                {
                    Add(path, inner, found);
                }
            }

            return;
        }

        found.Add((path, keyValue.Value, keyValue.Key.Span));
    }
}
