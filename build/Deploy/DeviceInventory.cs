using Crossboard.Machine;
using Tomlyn.Parsing;
using Tomlyn.Syntax;

namespace Crossboard.Deploy;

/// <summary>One device of a fleet file.</summary>
/// <param name="Name">What to call it (default: the target as written).</param>
/// <param name="Target">[user@]host[:port] or an ~/.ssh/config alias.</param>
/// <param name="HostKey">SHA256:... pin for this device.</param>
/// <param name="Identity">A private key for this device.</param>
/// <param name="Where">file:line, for messages.</param>
public sealed record InventoryEntry(string Name, string Target, string? HostKey, string? Identity, string Where);

/// <summary>
/// --devices=FILE: either one target per line ("[user@]host[:port] [SHA256:pin]", '#' comments),
/// or, for a .toml file, [[device]] tables with target, and optional name, host-key, identity.
/// </summary>
public static class DeviceInventory
{
    private static readonly string[] TomlKeys = ["name", "target", "host-key", "identity"];

    public static IReadOnlyList<InventoryEntry> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"--devices={path}: no such file.");
        }

        var entries = path.EndsWith(".toml", StringComparison.OrdinalIgnoreCase) ? ReadToml(path) : ReadLines(path);
        if (entries.Count == 0)
        {
            throw new InputException(
                $"{path}: lists no devices. Write one target per line ([user@]host[:port], optionally followed by its SHA256:... host key), or use a .toml file with [[device]] tables.");
        }

        var duplicate = entries.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InputException(
                $"{duplicate.Skip(1).First().Where}: device '{duplicate.Key}' is listed twice (first at {duplicate.First().Where}); deploying to it twice at once would race. Remove one, or give them different names.");
        }

        return entries;
    }

    private static List<InventoryEntry> ReadLines(string path)
    {
        var entries = new List<InventoryEntry>();
        var number = 0;
        foreach (var raw in File.ReadLines(path))
        {
            number++;
            var hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var where = $"{path}({number})";
            var fields = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 2 || (fields.Length == 2 && !fields[1].StartsWith("SHA256:", StringComparison.Ordinal)))
            {
                throw Problem(path, number, null, $"'{line}' is not '[user@]host[:port]' optionally followed by an SHA256:... host key fingerprint.");
            }

            var pin = fields.Length == 2 ? fields[1] : null;
            if (pin is not null && !HostKeyVerifier.IsValidPin(pin))
            {
                throw Problem(path, number, null, $"'{pin}' is not an SHA256 fingerprint (as ssh-keygen -lf prints it).");
            }

            entries.Add(new InventoryEntry(fields[0], fields[0], pin, null, where));
        }

        return entries;
    }

    private static List<InventoryEntry> ReadToml(string path)
    {
        var document = SyntaxParser.Parse(File.ReadAllText(path), path, validate: true);
        if (document.HasErrors)
        {
            var first = document.Diagnostics.First(d => d.Kind == DiagnosticMessageKind.Error);
            throw Problem(path, first.Span.Start.Line + 1, first.Span.Start.Column + 1, first.Message);
        }

        if (document.KeyValues.FirstOrDefault() is { } stray)
        {
            throw Problem(path, stray.Span.Start.Line + 1, 1, $"keys belong in [[device]] tables, e.g.{Environment.NewLine}[[device]]{Environment.NewLine}target = \"root@192.168.3.1\"");
        }

        var entries = new List<InventoryEntry>();
        foreach (var table in document.Tables)
        {
            var line = table.Span.Start.Line + 1;
            var where = $"{path}({line})";
            if (table is not TableArraySyntax || table.Name?.ToString().Trim() != "device")
            {
                throw Problem(path, line, null, $"unknown table '{table.Name?.ToString().Trim()}'; a fleet file holds [[device]] tables.");
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var item in table.Items)
            {
                var key = item.Key?.ToString().Trim() ?? "";
                if (!TomlKeys.Contains(key))
                {
                    var hint = Recipes.NameSuggestions.Closest(key, TomlKeys) is { } match ? $" Did you mean '{match}'?" : "";
                    throw Problem(path, item.Span.Start.Line + 1, item.Span.Start.Column + 1, $"unknown key '{key}' in [[device]].{hint} Known keys: {string.Join(", ", TomlKeys)}.");
                }

                if (item.Value is not StringValueSyntax text)
                {
                    throw Problem(path, item.Span.Start.Line + 1, item.Span.Start.Column + 1, $"'{key}' must be a string.");
                }

                values[key] = text.Value ?? "";
            }

            if (!values.TryGetValue("target", out var target) || target.Trim().Length == 0)
            {
                throw Problem(path, line, null, "this [[device]] has no target; add target = \"[user@]host[:port]\".");
            }

            var pin = values.GetValueOrDefault("host-key");
            if (pin is not null && !HostKeyVerifier.IsValidPin(pin))
            {
                throw Problem(path, line, null, $"host-key '{pin}' is not an SHA256 fingerprint (as ssh-keygen -lf prints it).");
            }

            entries.Add(new InventoryEntry(values.GetValueOrDefault("name") ?? target, target, pin, values.GetValueOrDefault("identity"), where));
        }

        return entries;
    }

    /// <summary>A problem at a line (and column) of the fleet file: said as "FILE(LINE,COL): what", and kept as a place for a CI to show it at.</summary>
    private static InputException Problem(string path, int line, int? column, string what) =>
        new($"{path}({line}{(column is { } c ? $",{c}" : "")}): {what}")
        {
            Problems = [new SourceProblem(path, line, column ?? 1, what)],
        };
}
