using Cake.Core;
using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.FastPath;
using Crossboard.Machine;
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
            var hint = NameSuggestions.Hint(unknown, Switches.SwitchTable.All.Select(s => s.Name));
            context.Log.Warning("Switch --{0} is not one crossboard knows; it is ignored.{1} See --help.", unknown, hint);
        }

        context.Catalog = RecipeCatalog.LoadOrTakePreloaded(context.RecipesDir, context.ToolchainsDir, context.Switches.Recipes);
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
        context.Board = context.Catalog.GetBoard(context.Switches.Board);
        context.Toolchain = context.Catalog.ToolchainFor(context.Board, context.Switches.Toolchain);
        context.RustTarget = RecipeCatalog.RustTargetFor(context.Board, context.Toolchain);

        // --device=emulator, resolved only when a task asks for it (Deploy with --exclusive,
        // Rollback): the emulated device that runs this board's binaries, booted if needed.
        context.EmulatorDevice = () => Emulator.EmulatorDevices.EnsureRunning(
            Emulator.EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards),
            context.Switches.WorkDir, context.Consent, context.BuildLog,
            Tasks.EmulatorTasks.StartOptions(context),
            Tasks.EmulatorTasks.ImageOptions(context));
        context.Log.Verbose("Board {0}, toolchain {1}, Rust target {2}, work dir {3}",
            context.Board.Name, context.Toolchain.Name, context.RustTarget, context.Switches.WorkDir);

        // EarlyWork starts what these need in the background, when the first task runs.
        context.PlannedTasks = info.TasksToExecute.Select(t => t.Name).ToList();

        // A binary built elsewhere fits the board, or nothing runs: no install, no boot, no connection.
        CheckArtifact(context);

        // Everything the run installs on this machine, shown and asked for once, before the first task.
        PlanHost(context);
    }

    /// <summary>
    /// --artifact for a run that deploys (or rolls back, or runs) it: the board-fit check CargoBuild
    /// runs on its own output (a file that is no ELF program is refused, saying what it is), and
    /// the app name's check, before the first task.
    /// </summary>
    private static void CheckArtifact(BuildContext context)
    {
        if (context.Switches.Artifact is { } file && context.PlannedTasks.Any(t => t is nameof(Deploy) or nameof(Rollback) or "Run"))
        {
            context.Stages.Artifact = Crossboard.Deploy.DeployStage.ArtifactFromFile(file, context.RustTarget, context.Board, context.BuildLog,
                Tasks.DeployTasks.EmulatedDevice(context));
        }
    }

    private static void PlanHost(BuildContext context)
    {
        var needs = HostPrerequisites.For(new HostNeedsQuery(
            context.Board, context.Toolchain, context.RustTarget,
            Emulator: EmulatedDevice(context),
            Docker: context.Switches.Docker,
            DockerCli: context.Switches.DockerCli,
            BuildsApp: context.Switches.Artifact is null,
            Rust: context.Switches.Rust,
            WorkDir: context.Switches.WorkDir,
            TestsUnderQemu: context.Switches.TestOn == Cargo.TestPlace.Qemu,
            CompileCache: context.Switches.CompileCache));
        var packages = new DebianPackages(context.Consent, context.BuildLog.Information) { Probes = ProbeCache.InWorkDir(context.Switches.WorkDir) };
        var tasks = TasksNeedingTheHost(context);
        context.Stages.HostPlan = HostPlan.Make(needs, tasks, DebianPackages.IsAvailable ? packages.Missing : null);
        var what = $"--target={context.PlannedTasks.LastOrDefault()} for board {context.Board.Name} (toolchain {context.Toolchain.Name})";
        var installed = new HostSetup(packages, context.BuildLog)
            .Apply(context.Stages.HostPlan, context.Consent, context.DryRun, what, Path.Combine(context.Switches.WorkDir, "logs", "host-packages.log"));
        context.Consent = context.Consent.AfterPlan(installed);
    }

    /// <summary>The emulated device's settings when the run deploys to it (its board may be another of the same CPU).</summary>
    internal static EmulatorSettings? EmulatedDevice(BuildContext context)
    {
        if (!context.Switches.DeploysToEmulator)
        {
            return null;
        }

        try
        {
            return Emulator.EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards).Emulator;
        }
        catch (CrossboardException)
        {
            return null; // no board emulates this CPU: the emulator's tasks say so when they run
        }
    }

    /// <summary>
    /// The run's tasks in order, and the emulator's when Deploy, Rollback, Run or CargoTest on the
    /// device will boot the emulated device themselves (--exclusive leaves its tasks out of the run).
    /// </summary>
    private static List<string> TasksNeedingTheHost(BuildContext context)
    {
        var tasks = context.PlannedTasks.ToList();
        var talksToDevice = tasks.Any(t => t is nameof(Deploy) or nameof(Rollback) or "Run") ||
            (tasks.Contains(nameof(CargoTest)) && context.Switches.TestOn == Cargo.TestPlace.Device);
        if (context.Switches.DeploysToEmulator && talksToDevice)
        {
            tasks.AddRange(new[] { nameof(EmulatorImage), nameof(EmulatorStart) }.Where(t => !tasks.Contains(t)));
        }

        return tasks;
    }

    public override void Teardown(BuildContext context, ITeardownContext info)
    {
        context.EarlyConnection?.Dispose();
    }
}
