namespace Crossboard.Sdk;

/// <summary>
/// A Kconfig .config: "CONFIG_X=value" lines and "# CONFIG_X is not set" lines. Used both for
/// the seed crossboard writes and for what `make defconfig` made of it.
/// </summary>
public sealed class DotConfig
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _notSet = new(StringComparer.Ordinal);

    public static DotConfig Parse(IEnumerable<string> lines)
    {
        var config = new DotConfig();
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (TryParse(line, out var symbol, out var value))
            {
                if (value is null)
                {
                    config._notSet.Add(symbol);
                    config._values.Remove(symbol);
                }
                else
                {
                    config._values[symbol] = value;
                    config._notSet.Remove(symbol);
                }
            }
        }

        return config;
    }

    public static DotConfig Read(string path) => Parse(File.ReadAllLines(path));

    /// <summary>Splits "CONFIG_X=v" (value v) or "# CONFIG_X is not set" (value null); false for anything else.</summary>
    public static bool TryParse(string line, out string symbol, out string? value)
    {
        symbol = "";
        value = null;
        if (line.StartsWith("# CONFIG_", StringComparison.Ordinal) && line.EndsWith(" is not set", StringComparison.Ordinal))
        {
            symbol = line[2..^" is not set".Length];
            return symbol.Length > "CONFIG_".Length && !symbol.Contains(' ');
        }

        var eq = line.IndexOf('=');
        if (line.StartsWith("CONFIG_", StringComparison.Ordinal) && eq > "CONFIG_".Length)
        {
            symbol = line[..eq];
            value = line[(eq + 1)..];
            return !symbol.Contains(' ');
        }

        return false;
    }

    /// <summary>The raw value ("y", "\"musl\"", "12") or null when unset or absent.</summary>
    public string? this[string symbol] => _values.TryGetValue(symbol, out var v) ? v : null;

    /// <summary>A string symbol's value without its quotes.</summary>
    public string? String(string symbol) => this[symbol] is { } v ? v.Trim('"') : null;

    public bool IsSet(string symbol) => _values.TryGetValue(symbol, out var v) && v is not ("n" or "");

    /// <summary>Whether the symbol appears at all (set, or written as "is not set").</summary>
    public bool Mentions(string symbol) => _values.ContainsKey(symbol) || _notSet.Contains(symbol);

    public IEnumerable<KeyValuePair<string, string>> Values => _values;
}
