using Cake.Core.Diagnostics;

namespace Cake.Frosting.Internal;

/// <summary>
/// The command line as Cake users type it: the host's own switches are taken out, every other
/// <c>--key=value</c> (or <c>--key value</c>, or a bare <c>--flag</c>) becomes a Cake argument.
/// </summary>
internal sealed class HostArguments
{
    public List<string> Targets { get; } = new();
    public Verbosity Verbosity { get; private set; } = Verbosity.Normal;
    public string? WorkingDirectory { get; private set; }
    public bool DryRun { get; private set; }
    public bool Exclusive { get; private set; }
    public bool Tree { get; private set; }
    public bool Description { get; private set; }
    public bool Help { get; private set; }
    public bool Version { get; private set; }

    /// <summary>Every argument that is not the host's own, by name (case-insensitive), in order given.</summary>
    public List<KeyValuePair<string, string>> Arguments { get; } = new();

    private static readonly HashSet<string> TargetSwitches = new(StringComparer.OrdinalIgnoreCase) { "target", "t" };
    private static readonly HashSet<string> VerbositySwitches = new(StringComparer.OrdinalIgnoreCase) { "verbosity", "v" };
    private static readonly HashSet<string> WorkingSwitches = new(StringComparer.OrdinalIgnoreCase) { "working", "w" };

    public static HostArguments Parse(IEnumerable<string> args)
    {
        var result = new HostArguments();
        var list = args.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (!arg.StartsWith('-') || arg == "-" || arg == "--")
            {
                throw new FrostingException(
                    $"Unexpected argument '{arg}'. Switches look like --name=value; to pick a task use --target={arg}.");
            }

            var body = arg.TrimStart('-');
            string name;
            string? value = null;
            var eq = body.IndexOf('=');
            if (eq >= 0)
            {
                name = body[..eq];
                value = body[(eq + 1)..];
            }
            else
            {
                name = body;
            }

            if (name.Length == 0)
            {
                throw new FrostingException($"Malformed switch '{arg}'.");
            }

            // Boolean switches of the host never take the next word as their value.
            switch (name.ToLowerInvariant())
            {
                case "dryrun" or "noop" or "whatif":
                    result.DryRun = ParseBool(name, value);
                    continue;
                case "exclusive" or "e":
                    result.Exclusive = ParseBool(name, value);
                    continue;
                case "tree" or "showtree":
                    result.Tree = ParseBool(name, value);
                    continue;
                case "description" or "descriptions" or "showdescription" or "showdescriptions":
                    result.Description = ParseBool(name, value);
                    continue;
                case "help" or "h" or "?":
                    result.Help = true;
                    continue;
                case "version" or "ver":
                    result.Version = true;
                    continue;
            }

            // Everything else may take its value from the next word ("--board omega2").
            if (value is null && i + 1 < list.Count && !list[i + 1].StartsWith('-'))
            {
                value = list[++i];
            }

            if (TargetSwitches.Contains(name))
            {
                result.Targets.Add(value is { Length: > 0 } ? value : throw new FrostingException($"--{name} needs a task name, e.g. --{name}=Boards."));
            }
            else if (VerbositySwitches.Contains(name))
            {
                result.Verbosity = ParseVerbosity(value);
            }
            else if (WorkingSwitches.Contains(name))
            {
                result.WorkingDirectory = value is { Length: > 0 } ? value : throw new FrostingException($"--{name} needs a directory.");
            }
            else
            {
                // A bare --flag is true, as in Cake's own argument parser.
                result.Arguments.Add(new(name, value ?? "true"));
            }
        }

        if (result.Targets.Count == 0)
        {
            result.Targets.Add("Default");
        }

        return result;
    }

    private static bool ParseBool(string name, string? value) => value?.ToLowerInvariant() switch
    {
        null or "" or "true" or "1" or "yes" => true,
        "false" or "0" or "no" => false,
        _ => throw new FrostingException($"--{name} is a flag; '{value}' is not true or false."),
    };

    internal static Verbosity ParseVerbosity(string? value) => value?.ToLowerInvariant() switch
    {
        "q" or "quiet" => Verbosity.Quiet,
        "m" or "minimal" => Verbosity.Minimal,
        "n" or "normal" => Verbosity.Normal,
        "v" or "verbose" => Verbosity.Verbose,
        "d" or "diag" or "diagnostic" => Verbosity.Diagnostic,
        _ => throw new FrostingException(
            $"Unknown verbosity '{value}'. Valid: quiet, minimal, normal, verbose, diagnostic."),
    };
}
