using Cake.Frosting;
using Crossboard.Emulator;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(EmulatorStop))]
[TaskDescription("Stops the emulated device (by the PID recorded in the work dir).")]
public sealed class EmulatorStop : FrostingTask<BuildContext>
{
    public override void Run(BuildContext context)
    {
        var board = EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards);
        new EmulatorMachine(context.BuildLog, context.Consent).Stop(board.Name, context.Switches.WorkDir);
    }
}
