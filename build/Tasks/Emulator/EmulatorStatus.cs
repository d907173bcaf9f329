using Cake.Frosting;
using Crossboard.Emulator;

namespace Crossboard.Tasks;

[TaskName(nameof(EmulatorStatus))]
[TaskDescription("Says whether the emulated device runs: PID, forwarded ports, host key; notices one that crashed.")]
public sealed class EmulatorStatus : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var board = EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards);
        var status = new EmulatorMachine(context.BuildLog, context.Consent).Status(board.Name, context.Switches.WorkDir);
        switch (status.State)
        {
            case EmulatorState.Running when status.Instance is { SshPort: > 0 } instance:
                context.BuildLog.Information($"The emulated {board.Name} is {status.Detail}");
                context.BuildLog.Information($"  ssh -i {instance.DeployKey} -p {instance.SshPort} root@127.0.0.1   (host key {instance.HostKeyFingerprint})");
                context.BuildLog.Information($"  app: http://127.0.0.1:{instance.AppPort}/   console: {instance.ConsoleLog}");
                context.Stages.DeviceTarget = EmulatorDevices.Target(instance);
                break;
            case EmulatorState.Running:
                context.BuildLog.Warning($"The emulated {board.Name}: {status.Detail}. --target=EmulatorStop stops it.");
                break;
            case EmulatorState.Stale:
                context.BuildLog.Warning($"The emulated {board.Name} is not running: {status.Detail}");
                break;
            default:
                context.BuildLog.Information($"The emulated {board.Name} is not running (--target=EmulatorStart boots it).");
                break;
        }
    }
}
