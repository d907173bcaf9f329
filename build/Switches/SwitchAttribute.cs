namespace Crossboard.Switches;

/// <summary>What a switch's value must be, beyond its property's type.</summary>
public enum SwitchCheck
{
    /// <summary>Taken as given (text), or by its type (numbers, booleans, choices).</summary>
    None,

    /// <summary>A path, made absolute (~/ expanded, relative to the working directory); it may not exist yet.</summary>
    Path,

    /// <summary>A file that must exist now, made absolute.</summary>
    ExistingFile,

    /// <summary>A directory that must exist now, made absolute.</summary>
    ExistingDirectory,

    /// <summary>The NAME of an environment variable that must be set (its value is never read here, nor shown).</summary>
    SetVariable,
}

/// <summary>
/// Declares one of crossboard's switches on a property of <see cref="BuildSwitches"/>, in the
/// shape of NUKE's [Parameter]: its name, how its value is written in --help, its help line and
/// its default, once. The property's type says how the value is read (text, bool, bool?, int,
/// an enum with <see cref="Choices"/>); <see cref="SwitchTable"/> reads, checks and documents them all.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SwitchAttribute(string name, string value, string help, [System.Runtime.CompilerServices.CallerLineNumber] int line = 0) : Attribute
{
    /// <summary>
    /// The line of BuildSwitches.cs it is declared on, filled in by the compiler: the switches'
    /// order (--help, docs/switches.md). Not the properties' metadata tokens, which a natively
    /// compiled host does not have.
    /// </summary>
    public int Line { get; } = line;

    /// <summary>What users type: --name=...</summary>
    public string Name { get; } = name;

    /// <summary>How the value is shown in --help: NAME, DIR, true|false, ...</summary>
    public string Value { get; } = value;

    /// <summary>The help line (the default is appended by the table, from <see cref="Default"/> or <see cref="DefaultText"/>).</summary>
    public string Help { get; } = help;

    /// <summary>The value when the switch is absent, read as if the user had typed it.</summary>
    public string? Default { get; init; }

    /// <summary>
    /// Where the default is written when it is not a constant here: a const or static field, a
    /// static property or a parameterless static method of <see cref="DefaultOf"/> named <see cref="DefaultName"/>.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicFields | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicFields | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicProperties | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicProperties | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicMethods | System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.NonPublicMethods)]
    public Type? DefaultOf { get; init; }

    public string? DefaultName { get; init; }

    /// <summary>For --help only, when the default is decided elsewhere (the board's recipe, a free port).</summary>
    public string? DefaultText { get; init; }

    public SwitchCheck Check { get; init; }

    /// <summary>For numbers: the smallest and largest value accepted, and how to say what is expected.</summary>
    public int Min { get; init; } = int.MinValue;

    public int Max { get; init; } = int.MaxValue;

    public string? Expected { get; init; }

    /// <summary>For enums: the words accepted, "word=EnumMember,word=EnumMember", and how --help and errors say them.</summary>
    public string? Choices { get; init; }

    public string? ChoicesHelp { get; init; }

    /// <summary>
    /// A static method of <see cref="BuildSwitches"/> that checks (and may normalize) the text
    /// given, throwing a <see cref="CrossboardException"/> that says what is wrong and how to fix it.
    /// </summary>
    public string? Validate { get; init; }

    /// <summary>For <see cref="SwitchCheck.SetVariable"/>: what the variable holds ("the device's password").</summary>
    public string? Holds { get; init; }

    /// <summary>The section of --help and the docs it belongs to.</summary>
    public string Group { get; init; } = "General";
}
