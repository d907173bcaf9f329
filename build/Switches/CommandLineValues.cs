namespace Crossboard.Switches;

/// <summary>
/// The switches of a raw command line, read as the Cake host reads them (--name=value, --name
/// value, a bare --name is "true", the last one wins), for the little crossboard must know before
/// the host has parsed it: whether the run deploys and where its work dir is (the guessed SSH
/// connection starts with the process), and whether the fast path is on. Values are then read
/// through the switch table (<see cref="SwitchTable.Value"/>), as for the run itself.
/// </summary>
public sealed class CommandLineValues
{
    private readonly Dictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    private CommandLineValues()
    {
    }

    /// <summary>The tasks named with --target/-t (Default when none).</summary>
    public IReadOnlyList<string> Targets { get; private set; } = [];

    public string? this[string name] => _values.TryGetValue(name, out var value) ? value : null;

    public bool Has(string name) => _values.ContainsKey(name);

    public static CommandLineValues Parse(IReadOnlyList<string> args)
    {
        var parsed = new CommandLineValues();
        var targets = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                continue; // the host rejects it; nothing to read here
            }

            var body = arg.TrimStart('-');
            var eq = body.IndexOf('=');
            var name = eq >= 0 ? body[..eq] : body;
            var value = eq >= 0 ? body[(eq + 1)..] : null;
            if (value is null && i + 1 < args.Count && !args[i + 1].StartsWith('-') && !IsHostFlag(name))
            {
                value = args[++i];
            }

            if (name is "target" or "t")
            {
                targets.Add(value ?? "");
            }
            else
            {
                parsed._values[name] = value ?? "true";
            }
        }

        parsed.Targets = targets.Count > 0 ? targets : ["Default"];
        return parsed;
    }

    /// <summary>The host's own flags never take the next word as their value.</summary>
    private static bool IsHostFlag(string name) => name.ToLowerInvariant() is
        "dryrun" or "noop" or "whatif" or "exclusive" or "e" or "tree" or "showtree" or "description" or "descriptions"
        or "showdescription" or "showdescriptions" or "help" or "h" or "?" or "version" or "ver";
}
