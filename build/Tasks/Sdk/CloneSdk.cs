using Cake.Frosting;
using Cake.Git;
using Crossboard.Sdk;

namespace Crossboard.Tasks;

[TaskName(nameof(CloneSdk))]
[IsDependentOn(typeof(PrepareVolume))]
[TaskDescription("Clones the OpenWrt source at the toolchain's pinned ref (shallow; --sdk-source for a mirror); does nothing when it is already there.")]
public sealed class CloneSdk : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => SdkTasks.BuildsFromSource(context, nameof(CloneSdk));

    public override void Run(BuildContext context)
    {
        var settings = context.Toolchain.Source!;
        context.Stages.SdkCheckout = new SdkCloner(new GitClient(context.CommandRunner), context.BuildLog)
            .Ensure(SdkTasks.Workspace(context), new SdkSource(context.Switches.SdkSource ?? settings.Git, settings.Ref));
    }
}
