using Cake.Frosting;
using Crossboard.Deploy;

namespace Crossboard.Tasks;

// The class cannot be called Run (its method is); the task is.
[TaskName("Run")]
[IsDependentOn(typeof(Deploy))]
[TaskDescription("Deploys, then shows the app running: starts it in the foreground (service = none) or follows its service's output, until Ctrl+C.")]
public sealed class RunApp : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var stage = DeployTasks.Stage(context);
        var target = stage.Single(DeployTasks.Audience(context, stage));
        // The first Ctrl+C stops the app on the device cleanly; a second one ends crossboard.
        using var ctrlC = new CtrlC();
        new AppRunner(DeployTasks.Settings(context), context.BuildLog)
            .Run(target, DeployTasks.AppName(context), line => context.BuildLog.Information(line), ctrlC.Token);
    }
}
