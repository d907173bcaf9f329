using Cake.Frosting;
using Crossboard.Recipes;
using Crossboard.Toolchains;

namespace Crossboard.Tasks;

[TaskName(nameof(BuildToolchain))]
[IsDependentOn(typeof(SeedConfig))]
[TaskDescription("Resolves the C cross toolchain for every kind: builds OpenWrt's once per arch (stamped), or downloads the prebuilt SDK, or uses Debian's.")]
public sealed class BuildToolchain : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(BuildToolchain));

    public override void Run(BuildContext context)
    {
        var workspace = ToolchainKinds.Of(context.Toolchain).BuildsSdkTree ? SdkTasks.Workspace(context) : null;
        context.Stages.ResolvedToolchain = new ToolchainResolver(context.CommandRunner, context.BuildLog, context.Consent)
            .Resolve(context.Board, context.Toolchain, context.Switches.WorkDir, workspace)
            .Toolchain;
    }

    /// <summary>The tree's lock is released as soon as the toolchain is resolved (or failed), not at the end of the run.</summary>
    public override void Finally(BuildContext context)
    {
        context.Stages.SdkWorkspace?.Dispose();
        context.Stages.SdkWorkspace = null;
    }
}
