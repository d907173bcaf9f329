using Crossboard.Switches;

namespace Crossboard.FastPath;

/// <summary>
/// --fast-path: everything in this folder (the guessed and the early SSH connection, cached host
/// probes, the recipes read ahead, the ACK nudge) only saves time (bench/README.md, "The fast path,
/// piece by piece", has what each piece saves) and is not
/// needed for a correct one. --fast-path=false turns all of it off, so that a bug can be told
/// apart from (bisected against) the plain path. Process-wide: read once from the command line
/// as the process starts, before anything here runs.
/// </summary>
public static class FastPathSwitch
{
    public const string Name = "fast-path";

    public static bool Enabled { get; private set; } = true;

    /// <summary>Reads --fast-path from the raw command line (through the switch table, as the run reads it).</summary>
    public static bool Read(CommandLineValues values)
    {
        Enabled = SwitchTable.Value(Name, name => values[name], path => path) is not false;
        return Enabled;
    }

    /// <summary>For callers that make their own context (tests): the same switch, already read.</summary>
    public static void Set(bool enabled) => Enabled = enabled;
}
