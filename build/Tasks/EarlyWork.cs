using Cake.Core;
using Cake.Frosting;

namespace Crossboard.Tasks;

/// <summary>
/// Before the first task that really runs, starts in the background what a later task will need
/// and can have ready by then: the deploy target's SSH connection (and the smoke check's warm-up).
/// A task hook rather than Setup: Setup runs in a dry run too, which must not touch any device.
/// </summary>
public sealed class EarlyWork : FrostingTaskLifetime<BuildContext>
{
    public override void Setup(BuildContext context, ITaskSetupContext info)
    {
        if (context.EarlyWorkStarted)
        {
            return;
        }

        context.EarlyWorkStarted = true;
        if (!FastPath.FastPathSwitch.Enabled)
        {
            return; // --fast-path=false: Deploy connects when it starts, as the plain path does
        }

        context.EarlyConnection = DeployTasks.StartEarlyConnection(context, context.PlannedTasks);
        // A connection guessed at start-up that the early connection did not take: not needed.
        Crossboard.FastPath.SpeculativeConnection.Current?.Abandon();
    }

    public override void Teardown(BuildContext context, ITaskTeardownContext info)
    {
    }
}
