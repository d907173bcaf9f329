using Cake.Frosting;
using Crossboard.Emulator;
using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Tasks;

[TaskName(nameof(EmulatorImage))]
[RunInBackground]
[TaskDescription("Builds the emulated device's image (kernel + initramfs from Debian packages, busybox, dropbear, keys); cached until its inputs change.")]
public sealed class EmulatorImage : FrostingTask<BuildContext>
{
    public override bool ShouldRun(BuildContext context) => EmulatorTasks.Needed(context, nameof(EmulatorImage));

    public override void Run(BuildContext context)
    {
        var board = EmulatorDevices.EmulatedBoardFor(context.Board, context.Catalog.Boards);
        if (board != context.Board)
        {
            context.BuildLog.Information($"{context.Board.Name} binaries run on the emulated {board.Name} (same CPU: {board.Cpu.Core}, {board.Cpu.Arch})");
        }

        // The image is assembled on this machine whatever runs the build: its dpkg answers can be kept.
        var packages = new DebianPackages(context.Consent, context.BuildLog.Information) { Probes = ProbeCache.InWorkDir(context.Switches.WorkDir) };
        context.Stages.DeviceImage = new DeviceImageBuilder(packages, context.BuildLog).Build(board, context.Switches.WorkDir, EmulatorTasks.ImageOptions(context));
    }
}
