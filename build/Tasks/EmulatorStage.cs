using Cake.Core.Diagnostics;

namespace Crossboard.Tasks;

/// <summary>What the emulator's tasks share: they are for runs that target the emulated device.</summary>
internal static class EmulatorStage
{
    public static bool Needed(BuildContext context, string task)
    {
        if (context.DeploysToEmulator)
        {
            return true;
        }

        context.Log.Information("{0}: not needed; --device={1} is a real device.", task, context.Device!);
        return false;
    }
}
