using Cake.Frosting;
using Crossboard.Cargo;
using Crossboard.Deploy;

namespace Crossboard.Tasks;

[TaskName(nameof(CargoTest))]
[IsDependentOn(typeof(ConfigureCargo))]
[TaskDescription("Builds the app's tests for the board as CargoBuild builds the app and runs them on the board's CPU: under qemu-user, or on the device with --test-on=device; --test-args passes a filter or --nocapture.")]
public sealed class CargoTest : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => BuildChain.Needed(context, nameof(CargoTest));

    public override void Run(BuildContext context)
    {
        var stage = CargoTasks.Stage(context);
        var inputs = CargoTasks.Inputs(context);
        var arguments = context.Switches.TestArguments;
        if (context.Switches.TestOn == TestPlace.Qemu)
        {
            stage.Test(inputs, CargoTasks.Options(context), arguments);
            return;
        }

        // On the device: the emulated one is booted if it is not running (as Deploy does).
        // The first Ctrl+C stops the test on the device and removes its files; a second one ends crossboard.
        using var ctrlC = new CtrlC();
        stage.TestOnDevice(inputs, CargoTasks.Options(context), (binaries, onLine) =>
        {
            var deploy = DeployTasks.Stage(context);
            var target = deploy.Single(DeployTasks.Audience(context, deploy));
            return new DeviceTests(DeployTasks.Settings(context), context.BuildLog).Run(target, binaries, arguments, context.Switches.TestDir, onLine, ctrlC.Token);
        });
    }
}
