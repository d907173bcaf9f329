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
        using var stop = new CancellationTokenSource();
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            // The first Ctrl+C stops the app on the device cleanly; a second one ends crossboard.
            e.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            new AppRunner(DeployTasks.Settings(context), context.BuildLog)
                .Run(target, DeployTasks.AppName(context), line => context.BuildLog.Information(line), stop.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }
}
