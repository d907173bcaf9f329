using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Recipes;

namespace Crossboard.Tasks;

[TaskName(nameof(ValidateRecipes))]
[TaskDescription("Validates every board recipe and toolchain definition (built-in and --recipes); for CI.")]
public sealed class ValidateRecipes : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var catalog = context.Catalog;
        catalog.ThrowIfInvalid();
        context.Log.Information("{0} files valid: {1} boards ({2}), {3} toolchains ({4}).",
            catalog.FileCount,
            catalog.Boards.Count, string.Join(", ", catalog.Boards.Select(b => b.Name).Order()),
            catalog.Toolchains.Count, string.Join(", ", catalog.Toolchains.Select(t => t.Name).Order()));
    }
}
