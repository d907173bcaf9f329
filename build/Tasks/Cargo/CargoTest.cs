using Cake.Frosting;

namespace Crossboard.Tasks;

[TaskName(nameof(CargoTest))]
[IsDependentOn(typeof(ConfigureCargo))]
[TaskDescription("Builds the app's tests for the board as CargoBuild builds the app and runs them under qemu-user for the board's CPU (cargo test --target ...); --test-args passes a filter or --nocapture.")]
public sealed class CargoTest : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(CargoTest));

    public override void Run(BuildContext context) =>
        CargoTasks.Stage(context).Test(CargoTasks.Inputs(context), CargoTasks.Options(context), context.Switches.TestArguments);
}
