using System.Reflection;
using System.Text;

namespace Crossboard.Switches;

/// <summary>One declared switch: its declaration and the property that holds its value.</summary>
public sealed record SwitchDefinition(SwitchAttribute Declaration, PropertyInfo Property)
{
    public string Name => Declaration.Name;

    /// <summary>The default as text (what an absent switch is read as), from the declaration; null when there is none.</summary>
    public string? Default
    {
        get
        {
            if (Declaration.Default is { } text)
            {
                return text;
            }

            if (Declaration.DefaultOf is not { } type || Declaration.DefaultName is not { } name)
            {
                return null;
            }

            const BindingFlags any = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
            var value = type.GetField(name, any)?.GetValue(null)
                ?? type.GetProperty(name, any)?.GetValue(null)
                ?? type.GetMethod(name, any, Type.EmptyTypes)?.Invoke(null, null)
                ?? throw new InvalidOperationException($"--{Name}: {type.Name}.{name} is not a static field, property or method.");
            return Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>What --help says the default is.</summary>
    public string? DefaultForHelp => Declaration.DefaultText ?? Default;
}

/// <summary>
/// Reads the switches <see cref="BuildSwitches"/> declares: each property's value from its type
/// and declaration (text, path, existing file or folder, set variable, bool, number in a range,
/// one of a few words, a check of its own), with every bad value noted and reported at once; and
/// writes --help from the same declarations.
/// </summary>
public static class SwitchTable
{
    /// <summary>Every switch, in declaration order.</summary>
    public static IReadOnlyList<SwitchDefinition> All { get; } = typeof(BuildSwitches)
        .GetProperties(BindingFlags.Instance | BindingFlags.Public)
        .Select(p => p.GetCustomAttribute<SwitchAttribute>() is { } s ? new SwitchDefinition(s, p) : null)
        .OfType<SwitchDefinition>()
        .OrderBy(d => d.Declaration.Line)
        .ToList();

    /// <summary>
    /// One switch's value as the run will read it (its default when absent), without checks or
    /// problems: for what must be known before the run's context exists (a bad value there is
    /// reported when the context is made).
    /// </summary>
    public static object? Value(string name, Func<string, string?> raw, Func<string, string> fullPath)
    {
        var definition = All.First(d => d.Name == name);
        var read = new SwitchReader(raw, fullPath);
        return ReadOne(definition, read) ?? (definition.Default is { } fallback ? ReadOne(definition, new SwitchReader(_ => fallback, fullPath)) : null);
    }

    public static bool IsKnown(string name) => All.Any(d => d.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Sets every declared property of <paramref name="target"/> from <paramref name="read"/>; problems stay in the reader.</summary>
    public static BuildSwitches Fill(BuildSwitches target, SwitchReader read)
    {
        foreach (var definition in All)
        {
            var value = ReadOne(definition, read);
            if (value is null && definition.Default is { } fallback)
            {
                // Absent or bad: the default (a bad value is already a problem, which stops the run).
                value = ReadOne(definition, new SwitchReader(_ => fallback, read.FullPath));
            }

            definition.Property.SetValue(target, value ?? DefaultOfType(definition.Property.PropertyType));
        }

        return target;
    }

    private static object? ReadOne(SwitchDefinition definition, SwitchReader read)
    {
        var d = definition.Declaration;
        var type = definition.Property.PropertyType;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool))
        {
            return read.Bool(d.Name);
        }

        if (underlying == typeof(int))
        {
            return read.Number(d.Name, d.Min, d.Max, d.Expected);
        }

        if (underlying.IsEnum)
        {
            var words = (d.Choices ?? throw new InvalidOperationException($"--{d.Name}: an enum switch needs Choices."))
                .Split(',')
                .Select(pair => pair.Split('=', 2))
                .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
            return read.Word(d.Name, words, d.ChoicesHelp ?? string.Join(", ", words.Keys)) is { Length: > 0 } member
                ? Enum.Parse(underlying, member)
                : null;
        }

        var text = d.Check switch
        {
            SwitchCheck.Path => read.Path(d.Name),
            SwitchCheck.ExistingFile => read.ExistingFile(d.Name),
            SwitchCheck.ExistingDirectory => read.ExistingDirectory(d.Name),
            SwitchCheck.SetVariable => read.SetVariable(d.Name, d.Holds ?? "its value"),
            _ => read.Text(d.Name),
        };
        if (text is null || d.Validate is not { } check)
        {
            return text;
        }

        var method = typeof(BuildSwitches).GetMethod(check, BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, [typeof(string)])
            ?? throw new InvalidOperationException($"--{d.Name}: BuildSwitches.{check}(string) does not exist.");
        return read.Parsed(d.Name, _ =>
        {
            try
            {
                return (string?)method.Invoke(null, [text]);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is CrossboardException inner)
            {
                throw inner;
            }
        });
    }

    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Only value types get here (bool, int, the switches' enums): their default value needs no constructor that trimming could remove.")]
    private static object? DefaultOfType(Type type) => type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;

    /// <summary>docs/switches.md's tables, group by group (a test keeps the file equal to this).</summary>
    public static string Markdown()
    {
        var text = new StringBuilder();
        foreach (var group in All.GroupBy(d => d.Declaration.Group))
        {
            text.Append("## ").AppendLine(group.Key).AppendLine().AppendLine("| switch | meaning | default |").AppendLine("|---|---|---|");
            foreach (var definition in group)
            {
                var d = definition.Declaration;
                var help = d.Help + (d.ChoicesHelp is { } words ? $" Use {words}." : "");
                text.AppendLine($"| {Cell($"`--{d.Name}={d.Value}`")} | {Cell(help)} | {Cell(definition.DefaultForHelp ?? "")} |");
            }

            text.AppendLine();
        }

        return text.ToString().TrimEnd() + "\n";
    }

    private static string Cell(string text) => text.Replace("|", "\\|");

    /// <summary>--help's part for crossboard's switches, group by group.</summary>
    public static string HelpText()
    {
        var text = new StringBuilder("crossboard switches:");
        foreach (var group in All.GroupBy(d => d.Declaration.Group))
        {
            text.AppendLine().AppendLine().Append(group.Key).Append(':');
            foreach (var definition in group)
            {
                var d = definition.Declaration;
                var help = d.Help + (d.ChoicesHelp is { } words ? $" Use {words}." : "") + (definition.DefaultForHelp is { } shown ? $" (default: {shown})" : "");
                text.AppendLine().Append($"  {"--" + d.Name + "=" + d.Value,-32} {help}");
            }
        }

        return text.ToString();
    }
}
