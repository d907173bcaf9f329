using Cake.Core.Diagnostics;

namespace Crossboard.Tasks;

/// <summary>What the emulator's tasks share: they are for runs that target the emulated device.</summary>
internal static class EmulatorTasks
{
    /// <summary>What the image carries for the run's app: the runtime of the C libraries its Cargo.toml declares.</summary>
    public static Emulator.DeviceImageOptions ImageOptions(BuildContext context) =>
        new() { AppLibraries = Cargo.AppManifest.CLibrariesOf(context.Switches.App).Select(l => l.Library).ToList() };

    /// <summary>How the emulator starts for this run: the switches' ports, and the network --emulator-network or the app asks for.</summary>
    public static Emulator.EmulatorStartOptions StartOptions(BuildContext context) => new()
    {
        SshPort = context.Switches.EmulatorSshPort,
        AppPort = context.Switches.EmulatorAppPort,
        Network = context.Switches.EmulatorNetwork
            ?? (Cargo.AppManifest.SettingsOf(context.Switches.App).EmulatorNetwork?.Value == "nat" ? Emulator.EmulatorNetwork.Nat : Emulator.EmulatorNetwork.Isolated),
    };

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
