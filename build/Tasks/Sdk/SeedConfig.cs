using Cake.Frosting;
using Cake.Git;
using Crossboard.Machine;
using Crossboard.Sdk;

namespace Crossboard.Tasks;

[TaskName(nameof(SeedConfig))]
[IsDependentOn(typeof(CloneSdk))]
[TaskDescription("Writes the board's .config seed, runs make defconfig and fails if any seed line was silently dropped.")]
public sealed class SeedConfig : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => SdkTasks.BuildsFromSource(context, nameof(SeedConfig));

    public override void Run(BuildContext context)
    {
        var workspace = SdkTasks.Workspace(context);
        var commit = context.Stages.SdkCheckout?.Commit
            ?? new GitClient(context.CommandRunner).Head(workspace.Layout.TreeDir)
            ?? throw new CrossboardException($"There is no SDK tree at {workspace.Layout.TreeDir}. Run without --exclusive so that CloneSdk runs first.");
        new ConfigSeeder(context.CommandRunner, context.BuildLog).Seed(workspace, context.Board, context.Toolchain, commit);
    }
}
