using Cake.Common;
using Cake.Core;
using Cake.Frosting;
using Crossboard.Machine;
using Crossboard.Recipes;
using Crossboard.Switches;

namespace Crossboard;

/// <summary>
/// What every task reads, in three parts: the run's switches (<see cref="Switches"/>, parsed and
/// checked once, immutable) and what Setup resolved from them (the board, its toolchain, the
/// Rust target, the tasks that run); what each stage hands the next (<see cref="Stages"/>); and
/// the services the stages run on (BuildContext.Services.cs). Tasks read settings from here,
/// never from raw arguments, and never call each other: a stage's tasks share one factory
/// (Tasks/&lt;Stage&gt;/&lt;Stage&gt;Tasks.cs) that makes its service from the context.
/// </summary>
public sealed partial class BuildContext : FrostingContext
{
    public BuildContext(ICakeContext context)
        : base(context)
    {
        RepoRoot = CrossboardPaths.RepoRoot();
        // Every switch is read and checked here, once (see BuildSwitches): a bad value stops the
        // run before its first task and names every bad value at once.
        Switches = BuildSwitches.Read(Optional, path => BuildSwitches.FullPath(path, Environment.WorkingDirectory.FullPath));
        Consent = Machine.Consent.FromEnvironment(Switches.Yes);
        FastPath.FastPathSwitch.Set(Switches.FastPath);
        DryRun = this.HasArgument("dryrun");
        UnknownSwitches = Arguments.GetArguments().Keys
            .Where(k => !k.Equals("dryrun", StringComparison.OrdinalIgnoreCase) && !SwitchTable.IsKnown(k))
            .ToList();
    }

    /// <summary>crossboard's switches, as given and checked; the same for the whole run.</summary>
    public BuildSwitches Switches { get; }

    /// <summary>--dryrun: the tasks are listed, not run, and the host plan is shown, not carried out.</summary>
    public bool DryRun { get; }

    /// <summary>Switches given that no part of crossboard reads (likely typos); warned about in Setup.</summary>
    public IReadOnlyList<string> UnknownSwitches { get; }

    public string RepoRoot { get; }
    public string RecipesDir => Path.Combine(RepoRoot, "recipes");
    public string ToolchainsDir => Path.Combine(RepoRoot, "toolchains");

    /// <summary>All recipes and toolchain definitions (Setup).</summary>
    public RecipeCatalog Catalog { get; set; } = null!;

    /// <summary>The chosen board (Setup); null only when the recipes are invalid and the run only validates them.</summary>
    public Board Board { get; set; } = null!;

    /// <summary>The board's chosen toolchain definition (Setup).</summary>
    public ToolchainDefinition Toolchain { get; set; } = null!;

    /// <summary>The Rust target triple for the board and toolchain (Setup).</summary>
    public string RustTarget { get; set; } = "";

    /// <summary>The tasks this run executes, in order (Setup).</summary>
    public IReadOnlyList<string> PlannedTasks { get; set; } = [];

    /// <summary>What each stage hands the next: one record per stage, set by the task that makes it.</summary>
    public StageResults Stages { get; } = new();

    private string? Optional(string name) => this.HasArgument(name) ? this.Argument<string>(name) : null;
}
