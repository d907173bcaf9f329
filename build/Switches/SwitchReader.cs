using System.Globalization;

namespace Crossboard.Switches;

/// <summary>
/// Reads switch values once, when the build context is made, and checks each against what it
/// must be (a port, a number in range, one of a few words, an existing file...). A bad value is
/// noted, not thrown at once, so that one run names every typo; <see cref="ThrowIfAny"/> then
/// stops the run before its first task: a typo costs no build and no boot. One parse per kind of
/// value, so that a table of switches can name the kind of each.
/// </summary>
/// <param name="value">A switch's raw value (null when absent; "" for a bare --name).</param>
/// <param name="fullPath">A path switch's value made absolute (~/ expanded, relative to the working directory).</param>
public sealed class SwitchReader(Func<string, string?> value, Func<string, string> fullPath)
{
    private readonly List<string> _problems = new();
    private readonly List<SourceProblem> _places = new();

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>How a path switch's value is made absolute.</summary>
    public Func<string, string> FullPath => fullPath;

    /// <summary>Notes a problem found elsewhere (e.g. two switches that exclude each other).</summary>
    public void Problem(string message) => _problems.Add(message);

    /// <summary>The value as given; null when absent or empty.</summary>
    public string? Text(string name) => value(name) is { Length: > 0 } text ? text : null;

    /// <summary>A boolean: absent is false, a bare --name is true, else true/false, yes/no, on/off, 1/0.</summary>
    public bool Flag(string name) => Bool(name) ?? false;

    /// <summary>A boolean that may be absent (null: someone else decides, e.g. the board's recipe).</summary>
    public bool? Bool(string name)
    {
        var text = value(name);
        if (text is null)
        {
            return null;
        }

        switch (text.Trim().ToLowerInvariant())
        {
            case "" or "true" or "yes" or "on" or "1":
                return true;
            case "false" or "no" or "off" or "0":
                return false;
            default:
                _problems.Add($"--{name}={text}: use true or false.");
                return null;
        }
    }

    /// <summary>A TCP port, 1-65535.</summary>
    public int? Port(string name) => Number(name, 1, 65535, "a TCP port number (1-65535)");

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public int? Number(string name, int min, int max, string? what = null)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
        {
            return number;
        }

        _problems.Add($"--{name}={text}: expected {what ?? $"a whole number from {min} to {max}"}.");
        return null;
    }

    /// <summary>One of a few words (case-insensitive), mapped to what it means (an enum member's name; "" for none).</summary>
    /// <param name="help">What to say after "use": the words and what they mean.</param>
    public string? Word(string name, IReadOnlyDictionary<string, string> words, string help)
    {
        if (Text(name) is not { } text)
        {
            return null;
        }

        if (words.TryGetValue(text.Trim(), out var meaning))
        {
            return meaning;
        }

        _problems.Add($"--{name}={text}: use {help}.{Recipes.NameSuggestions.Hint(text, words.Keys)}");
        return null;
    }

    /// <summary>A word checked by <paramref name="parse"/>, which throws a <see cref="CrossboardException"/> saying what is wrong.</summary>
    public T? Parsed<T>(string name, Func<string, T> parse)
    {
        if (Text(name) is not { } text)
        {
            return default;
        }

        try
        {
            return parse(text);
        }
        catch (CrossboardException ex)
        {
            _problems.Add(ex.Message);
            _places.AddRange(ex.Problems); // a fleet file's line and column, for a CI to show there
            return default;
        }
    }

    /// <summary>A path as given, made absolute; not checked (it may be made by the run).</summary>
    public string? Path(string name) => Text(name) is { } text ? fullPath(text) : null;

    /// <summary>A file that must exist now.</summary>
    public string? ExistingFile(string name) => Existing(name, directory: false);

    /// <summary>A directory that must exist now.</summary>
    public string? ExistingDirectory(string name) => Existing(name, directory: true);

    private string? Existing(string name, bool directory)
    {
        if (Path(name) is not { } path)
        {
            return null;
        }

        var (wanted, other) = directory ? ("directory", "file") : ("file", "directory");
        if (directory ? Directory.Exists(path) : File.Exists(path))
        {
            return path;
        }

        _problems.Add((directory ? File.Exists(path) : Directory.Exists(path))
            ? $"--{name}={Text(name)}: {path} is a {other}; give a {wanted}."
            : $"--{name}={Text(name)}: no such {wanted} ({path}).");
        return null;
    }

    /// <summary>The name of an environment variable that must be set (its value is never read here, nor shown).</summary>
    public string? SetVariable(string name, string purpose)
    {
        if (Text(name) is not { } variable)
        {
            return null;
        }

        if (variable.Any(c => !(char.IsAsciiLetterOrDigit(c) || c == '_')))
        {
            // Not echoed: a value that is no variable's name may be the secret itself.
            _problems.Add($"--{name}: give the NAME of an environment variable (letters, digits, _) that holds {purpose}, not the secret itself (the value given is not shown).");
            return null;
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
        {
            _problems.Add($"--{name}={variable}: the environment variable {variable} is not set (or empty). Set it to {purpose}, e.g. read -rs {variable}; export {variable}");
            return null;
        }

        return variable;
    }

    /// <summary>Stops the run when any value was bad, naming each one.</summary>
    public void ThrowIfAny()
    {
        if (_problems.Count == 1)
        {
            throw new InputException(_problems[0] + Environment.NewLine + "Nothing was run. See --help for every switch.") { Problems = _places };
        }

        if (_problems.Count > 1)
        {
            throw new InputException(
                $"{_problems.Count} switches have bad values:" + Environment.NewLine +
                string.Join(Environment.NewLine, _problems.Select(p => "  " + p)) + Environment.NewLine +
                "Nothing was run. See --help for every switch.")
            {
                Problems = _places,
            };
        }
    }
}
