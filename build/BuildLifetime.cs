using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Recipes;
using Crossboard.Tasks;

namespace Crossboard;

/// <summary>Fills the context once before the first task: the recipe catalog, the board, its toolchain.</summary>
public sealed class BuildLifetime : FrostingLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ISetupContext info)
    {
        foreach (var unknown in context.UnknownSwitches)
        {
            var hint = NameSuggestions.Hint(unknown, BuildContext.Switches.Select(s => s.Name));
            context.Log.Warning("Switch --{0} is not one crossboard knows; it is ignored.{1} See --help.", unknown, hint);
        }

        context.Catalog = RecipeCatalog.LoadOrTakePreloaded(context.RecipesDir, context.ToolchainsDir, context.ExtraRecipes);
        foreach (var warning in context.Catalog.Warnings)
        {
            context.Log.Warning(warning);
        }

        // ValidateRecipes reports every problem itself; any other task needs valid recipes.
        var onlyValidating = info.TasksToExecute.All(t => t.Name == nameof(ValidateRecipes));
        if (context.Catalog.Errors.Count > 0 && onlyValidating)
        {
            return;
        }

        context.Catalog.ThrowIfInvalid();
        context.Board = context.Catalog.GetBoard(context.BoardName);
        context.Toolchain = context.Catalog.ToolchainFor(context.Board, context.ToolchainName);
        context.RustTarget = RecipeCatalog.RustTargetFor(context.Board, context.Toolchain);

        // --device=emulator, resolved only when a task asks for it (Deploy with --exclusive,
        // Rollback): the emulated device that runs this board's binaries, booted if needed.
        context.EmulatorDevice = () => Emulator.EmulatorDevices.EnsureRunning(
            Emulator.EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards),
            context.WorkDir, context.Consent, context.BuildLog,
            new Emulator.EmulatorStartOptions { SshPort = context.EmulatorSshPort, AppPort = context.EmulatorAppPort });
        context.Log.Verbose("Board {0}, toolchain {1}, Rust target {2}, work dir {3}",
            context.Board.Name, context.Toolchain.Name, context.RustTarget, context.WorkDir);

        // EarlyWork starts what these need in the background, when the first task runs.
        context.PlannedTasks = info.TasksToExecute.Select(t => t.Name).ToList();
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        context.EarlyConnection?.Dispose();
    }
}
