using Cake.Core.Diagnostics;

namespace Crossboard.Tasks;

/// <summary>What the emulator's tasks share: they are for runs that target the emulated device.</summary>
internal static class EmulatorTasks
{
    public static bool Needed(BuildContext context, string task)
    {
        if (context.Switches.DeploysToEmulator)
        {
            return true;
        }

        context.Log.Information("{0}: not needed; the deploy target is {1}, not the emulated device.", task,
            context.Switches.Device is { } device ? $"--device={device}" : "the --devices list");
        return false;
    }
}
