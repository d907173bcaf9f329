using Cake.Frosting;
using Crossboard.Emulator;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(EmulatorStart))]
[RunInBackground]
[TaskDescription("Boots the emulated device in qemu (SSH and port 8000 forwarded to free 127.0.0.1 ports) and waits until SSH answers.")]
[IsDependentOn(typeof(EmulatorImage))]
public sealed class EmulatorStart : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => EmulatorTasks.Needed(context, nameof(EmulatorStart));

    public override void Run(BuildContext context)
    {
        var board = EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards);
        // With --exclusive EmulatorImage did not run: boot the image already built, if there is one.
        var image = context.Stages.DeviceImage ?? DeviceImage.Load(new EmulatorPaths(context.Switches.WorkDir, board.Name).ImageDir)
            ?? throw new CrossboardException($"There is no device image for {board.Name} in {context.Switches.WorkDir} yet: run --target=EmulatorImage (or EmulatorStart without --exclusive).");
        // The first Ctrl+C stops the boot and its qemu (also while it boots in the background, beside
        // the build); a second one ends crossboard as usual.
        using var ctrlC = new CtrlC();
        var options = EmulatorTasks.StartOptions(context) with { Interrupt = ctrlC.Token };
        var instance = new EmulatorMachine(context.BuildLog, context.Consent).Start(board, image, context.Switches.WorkDir, options);
        context.Stages.DeviceTarget = EmulatorDevices.Target(instance);
    }
}
