using Cake.Frosting;

namespace Crossboard.Tasks;

[TaskName(nameof(Deploy))]
[IsDependentOn(typeof(CargoBuild))]
[IsDependentOn(typeof(EmulatorStart))]
[TaskDescription("Installs the app on the device(s) over SSH: atomic and verified, restarts its service, ends with the smoke check.")]
public sealed class Deploy : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var artifact = DeployTasks.Artifact(context);
        var stage = DeployTasks.Stage(context);
        DeployTasks.RecordResults(context, () => stage.Deploy(DeployTasks.Audience(context, stage), artifact));
    }
}
