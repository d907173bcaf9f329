using Cake.Frosting;
using Crossboard.Emulator;
using Crossboard.Host;

namespace Crossboard.Tasks;

[TaskName(nameof(EmulatorStart))]
[TaskDescription("Boots the emulated device in qemu (SSH and port 8000 forwarded to free 127.0.0.1 ports) and waits until SSH answers.")]
[IsDependentOn(typeof(EmulatorImage))]
public sealed class EmulatorStart : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var image = context.DeviceImage ?? throw new CrossboardException("EmulatorStart needs the device image (EmulatorImage did not run).");
        var board = context.Catalog.GetBoard(image.Board);
        var options = new EmulatorStartOptions { SshPort = context.EmulatorSshPort, AppPort = context.EmulatorAppPort };
        var instance = new EmulatorMachine(context.BuildLog, context.Consent).Start(board, image, context.WorkDir, options);
        context.DeviceTarget = EmulatorDevices.Target(instance);
    }
}
