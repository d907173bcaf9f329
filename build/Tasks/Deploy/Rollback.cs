using Cake.Frosting;

namespace Crossboard.Tasks;

[TaskName(nameof(Rollback))]
[TaskDescription("Puts the previous binary (kept by Deploy as <binary>.bak) back in place on the device(s) and restarts it.")]
public sealed class Rollback : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var name = DeployTaskSupport.AppName(context);
        var stage = DeployTaskSupport.Stage(context);
        context.DeployResults = stage.Rollback(DeployTaskSupport.Audience(context, stage), name);
    }
}
