using Crossboard.Machine;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crossboard.Cargo;

public enum CargoConfigChange
{
    Created,
    Updated,
    Unchanged,
}

/// <summary>
/// Keeps <c>[target.&lt;triple&gt;]</c> in the app's <c>.cargo/config.toml</c> in step with the board:
/// crossboard owns the <c>linker</c>, <c>rustflags</c> and <c>runner</c> keys of that table and
/// nothing else. The file is edited through Tomlyn's syntax tree, so the user's comments, key
/// order, other tables and other keys stay byte for byte; a value that is already right is not
/// touched, so a second run changes nothing. An invalid file is reported with its position and
/// left as it is. The Cargo.toml manifest is never opened.
/// </summary>
public static class CargoConfigFile
{
    public static readonly string[] ManagedKeys = ["linker", "rustflags", "runner"];

    public static string PathIn(string appDir) => Path.Combine(appDir, ".cargo", "config.toml");

    public static CargoConfigChange Apply(string appDir, CargoTargetSettings settings, IBuildLog log)
    {
        if (!File.Exists(Path.Combine(appDir, "Cargo.toml")))
        {
            throw new CrossboardException($"{appDir} is not a Rust project (no Cargo.toml). Point --app=DIR at the folder that holds your Cargo.toml.");
        }

        var path = PathIn(appDir);
        MoveLegacyConfig(appDir, path, log);
        var existed = File.Exists(path);
        var original = existed ? File.ReadAllText(path) : "";
        var updated = Edit(original, path, settings);
        if (updated == original)
        {
            return CargoConfigChange.Unchanged;
        }

        WriteAtomically(path, updated);
        return existed ? CargoConfigChange.Updated : CargoConfigChange.Created;
    }

    /// <summary>The file's new text (the same string when nothing needs to change). Throws on invalid TOML.</summary>
    public static string Edit(string text, string path, CargoTargetSettings settings)
    {
        var document = SyntaxParser.Parse(text, path, validate: true);
        if (document.HasErrors)
        {
            var errors = document.Diagnostics.Where(d => d.Kind == DiagnosticMessageKind.Error)
                .Select(d => $"{path}({d.Span.Start.Line + 1},{d.Span.Start.Column + 1}): {d.Message}");
            throw new CrossboardException(
                "The app's cargo configuration is not valid TOML, so crossboard did not change it:" + Environment.NewLine +
                string.Join(Environment.NewLine, errors.Select(e => "  " + e)) + Environment.NewLine +
                "Fix the file (or delete it to let crossboard write a new one), then run again.");
        }

        RefuseDottedDefinitions(document, path, settings.Triple);
        var wanted = new (string Key, ValueSyntax Value)[]
        {
            ("linker", new StringValueSyntax(settings.Linker)),
            ("rustflags", new ArraySyntax(settings.Rustflags.ToArray())),
            ("runner", new ArraySyntax(settings.Runner.ToArray())),
        };

        var table = document.Tables.OfType<TableSyntax>().FirstOrDefault(t => t.Name is not null && KeyParts(t.Name).SequenceEqual(["target", settings.Triple]));
        if (table is null)
        {
            AppendTable(document, settings.Triple, wanted);
        }
        else
        {
            foreach (var (key, value) in wanted)
            {
                SetKey(table, key, value);
            }
        }

        var result = document.ToString();
        if (result == text)
        {
            return text;
        }

        // A safety net: never write a file cargo (or the next run) cannot read.
        var check = SyntaxParser.Parse(result, path, validate: true);
        if (check.HasErrors)
        {
            throw new CrossboardException($"crossboard's edit of {path} would not be valid TOML ({check.Diagnostics.First()}); the file was left as it is. Please report this with the file.");
        }

        return result;
    }

    /// <summary>Whether the app's config sets [build] rustflags (which a target's own rustflags override).</summary>
    public static bool HasBuildRustflags(string appDir)
    {
        var path = PathIn(appDir);
        if (!File.Exists(path))
        {
            return false;
        }

        var document = SyntaxParser.Parse(File.ReadAllText(path), path, validate: true);
        return !document.HasErrors && (
            document.KeyValues.Any(kv => kv.Key is not null && KeyParts(kv.Key).SequenceEqual(["build", "rustflags"])) ||
            document.Tables.Any(t => t.Name is not null && KeyParts(t.Name).SequenceEqual(["build"]) &&
                t.Items.Any(kv => kv.Key is not null && KeyParts(kv.Key).SequenceEqual(["rustflags"]))));
    }

    /// <summary>
    /// Cargo reads <c>.cargo/config</c> (the old name) in preference to <c>config.toml</c> when both
    /// exist, which would hide our edits; a lone old file is renamed, both at once is the user's call.
    /// </summary>
    private static void MoveLegacyConfig(string appDir, string path, IBuildLog log)
    {
        var legacy = Path.Combine(appDir, ".cargo", "config");
        if (!File.Exists(legacy))
        {
            return;
        }

        if (File.Exists(path))
        {
            throw new CrossboardException(
                $"{appDir}/.cargo has both 'config' (the old name) and 'config.toml'; cargo reads only 'config' then, so crossboard's settings would be ignored. " +
                "Merge the two into config.toml and delete config, then run again.");
        }

        File.Move(legacy, path);
        log.Information($"Renamed {legacy} to {path} (config.toml is the name current cargo expects)");
    }

    /// <summary>
    /// <c>target.&lt;triple&gt;.linker = ...</c> written as dotted keys or an inline table elsewhere
    /// would collide with the table crossboard maintains; say where and how to fix it.
    /// </summary>
    private static void RefuseDottedDefinitions(DocumentSyntax document, string path, string triple)
    {
        var places = new List<(string[] Prefix, KeyValueSyntax Item)>();
        places.AddRange(document.KeyValues.Select(kv => (Array.Empty<string>(), kv)));
        foreach (var table in document.Tables)
        {
            if (table.Name is null)
            {
                continue;
            }

            var prefix = KeyParts(table.Name).ToArray();
            if (prefix.Length >= 2 && prefix[0] == "target" && prefix[1] == triple)
            {
                continue; // ours, or a sub-table such as a build script override [target.<triple>.<links>]
            }

            places.AddRange(table.Items.Select(kv => (prefix, kv)));
        }

        foreach (var (prefix, item) in places)
        {
            if (item.Key is null)
            {
                continue;
            }

            var full = prefix.Concat(KeyParts(item.Key)).ToArray();
            if (full.Length >= 2 && full[0] == "target" && full[1] == triple)
            {
                var at = item.Key.Span.Start;
                throw new CrossboardException(
                    $"{path}({at.Line + 1},{at.Column + 1}): '{string.Join('.', full)}' is set as a dotted key or inline table; crossboard keeps target.{triple} " +
                    $"as a [target.{triple}] table. Move those settings under a [target.{triple}] header, then run again.");
            }
        }
    }

    private static void AppendTable(DocumentSyntax document, string triple, (string Key, ValueSyntax Value)[] wanted)
    {
        var table = new TableSyntax(new KeySyntax("target", triple));
        foreach (var (key, value) in wanted)
        {
            table.Items.Add(new KeyValueSyntax(key, value));
        }

        var hasContent = document.KeyValues.ChildrenCount > 0 || document.Tables.ChildrenCount > 0;
        if (hasContent)
        {
            EndWithNewLine(LastToken(document));
        }

        // A blank line before it (unless the file is new), then a word on who maintains it.
        var header = table.OpenBracket!;
        header.LeadingTrivia ??= new List<SyntaxTrivia>();
        if (hasContent && !EndsWithBlankLine(document))
        {
            header.LeadingTrivia.Add(new SyntaxTrivia(TokenKind.NewLine, "\n"));
        }

        header.LeadingTrivia.Add(new SyntaxTrivia(TokenKind.Comment, "# crossboard (ConfigureCargo) keeps linker, rustflags and runner here in step with the board and toolchain."));
        header.LeadingTrivia.Add(new SyntaxTrivia(TokenKind.NewLine, "\n"));
        document.Tables.Add(table);
    }

    private static void SetKey(TableSyntaxBase table, string key, ValueSyntax value)
    {
        var existing = table.Items.FirstOrDefault(kv => kv.Key is not null && KeyParts(kv.Key).SequenceEqual([key]));
        if (existing is not null)
        {
            if (existing.Value is not null && SameValue(existing.Value, value))
            {
                return;
            }

            // A comment after the old value belongs to its last token; it stays with the line.
            var trailing = existing.Value is null ? null : LastToken(existing.Value)?.TrailingTrivia;
            existing.Value = value;
            if (trailing is { Count: > 0 } && LastToken(value) is { } last)
            {
                last.TrailingTrivia = trailing;
            }

            return;
        }

        var item = new KeyValueSyntax(key, value);
        var previous = table.Items.ChildrenCount > 0 ? table.Items.GetChild(table.Items.ChildrenCount - 1) : null;
        if (previous is not null)
        {
            // Blank lines after the table's last key separate it from the next table: keep them after ours.
            var end = previous.EndOfLineToken;
            if (end is null)
            {
                EndWithNewLine(LastToken(previous));
            }
            else if (end.TrailingTrivia is { Count: > 0 } spacing)
            {
                end.TrailingTrivia = null;
                item.EndOfLineToken!.TrailingTrivia = spacing;
            }
        }
        else if (table.EndOfLineToken is { TrailingTrivia: { Count: > 0 } spacing } header)
        {
            header.TrailingTrivia = null;
            item.EndOfLineToken!.TrailingTrivia = spacing;
        }

        table.Items.Add(item);
    }

    private static bool SameValue(ValueSyntax a, ValueSyntax b) => (a, b) switch
    {
        (StringValueSyntax x, StringValueSyntax y) => x.Value == y.Value,
        (ArraySyntax x, ArraySyntax y) => x.Items.ChildrenCount == y.Items.ChildrenCount &&
            Enumerable.Range(0, x.Items.ChildrenCount).All(i => x.Items.GetChild(i)?.Value is { } xi && y.Items.GetChild(i)?.Value is { } yi && SameValue(xi, yi)),
        _ => false,
    };

    /// <summary>The key's parts, unquoted: <c>target."a.b"</c> is ["target", "a.b"].</summary>
    public static IEnumerable<string> KeyParts(KeySyntax key)
    {
        yield return Part(key.Key);
        foreach (var dotted in key.DotKeys)
        {
            yield return Part(dotted.Key);
        }
    }

    private static string Part(BareKeyOrStringValueSyntax? part) => part switch
    {
        BareKeySyntax bare => bare.Key?.Text ?? "",
        StringValueSyntax quoted => quoted.Value ?? "",
        _ => "",
    };

    /// <summary>The node's last token in source order (its children, depth first, from the end).</summary>
    private static SyntaxToken? LastToken(SyntaxNode node)
    {
        if (node is SyntaxToken token)
        {
            return token;
        }

        for (var i = node.ChildrenCount - 1; i >= 0; i--)
        {
            if (node.GetChild(i) is { } child && LastToken(child) is { } last)
            {
                return last;
            }
        }

        return null;
    }

    private static void EndWithNewLine(SyntaxToken? token)
    {
        if (token is null)
        {
            return;
        }

        var text = token.Text + string.Concat(token.TrailingTrivia?.Select(t => t.Text) ?? []);
        if (!text.EndsWith('\n'))
        {
            token.TrailingTrivia ??= new List<SyntaxTrivia>();
            token.TrailingTrivia.Add(new SyntaxTrivia(TokenKind.NewLine, "\n"));
        }
    }

    private static bool EndsWithBlankLine(DocumentSyntax document)
    {
        var text = document.ToString();
        return text.Length == 0 || text.EndsWith("\n\n", StringComparison.Ordinal) || text.EndsWith("\r\n\r\n", StringComparison.Ordinal);
    }

    private static void WriteAtomically(string path, string text)
    {
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".config.toml.crossboard-{Environment.ProcessId}.tmp");
        File.WriteAllText(temp, text);
        File.Move(temp, path, overwrite: true);
    }
}
