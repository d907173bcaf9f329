using Crossboard.Machine;

namespace Crossboard.Recipes;

/// <summary>One problem in a recipe or toolchain file, at 1-based line and column.</summary>
public sealed record RecipeDiagnostic(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): {Message}";
}

/// <summary>Every problem found in the recipe files, one per line, each with its position.</summary>
public sealed class RecipeException(IReadOnlyList<RecipeDiagnostic> diagnostics)
    : InputException(Format(diagnostics))
{
    public IReadOnlyList<RecipeDiagnostic> Diagnostics { get; } = diagnostics;

    private static string Format(IReadOnlyList<RecipeDiagnostic> diagnostics) =>
        (diagnostics.Count == 1 ? "A recipe file is invalid:" : $"{diagnostics.Count} problems in the recipe files:")
        + Environment.NewLine + string.Join(Environment.NewLine, diagnostics.Select(d => "  " + d));
}
