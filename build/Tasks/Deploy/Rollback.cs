using Cake.Frosting;

namespace Crossboard.Tasks;

[TaskName(nameof(Rollback))]
[TaskDescription("Puts the previous binary (kept by Deploy as <binary>.bak) back in place on the device(s) and restarts it.")]
public sealed class Rollback : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var name = DeployTasks.AppName(context);
        var stage = DeployTasks.Stage(context);
        DeployTasks.RecordResults(context, () => stage.Rollback(DeployTasks.Audience(context, stage), name));
    }
}
