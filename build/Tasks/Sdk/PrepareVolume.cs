using Cake.Core.Diagnostics;
using Cake.Frosting;
using Crossboard.Volume;

namespace Crossboard.Tasks;

[TaskName(nameof(PrepareVolume))]
[IsDependentOn(typeof(BuilderImage))]
[TaskDescription("Makes sure the SDK folder is case-sensitive (OpenWrt needs it): mounts an ext4 image (Linux) or attaches an APFS image (macOS) when not.")]
public sealed class PrepareVolume : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context)
    {
        if (!BuildChain.Needed(context, nameof(PrepareVolume)))
        {
            return false;
        }

        if (context.Switches.Docker)
        {
            context.Log.Information("PrepareVolume: not needed with --docker; the builder container's filesystem is case-sensitive.");
            return false;
        }

        return SdkTasks.BuildsFromSource(context, nameof(PrepareVolume));
    }

    public override void Run(BuildContext context) =>
        new SdkVolume(context.BuildLog, SdkVolume.CurrentPlatform, SdkVolume.CurrentUserIsRoot)
            .Prepare(context.Switches.WorkDir, SdkTasks.Layout(context).SdkRoot, context.Switches.SdkVolumeSizeGb * 1024L);
}
