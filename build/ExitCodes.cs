using Cake.Frosting;

namespace Crossboard;

/// <summary>
/// The exit codes a CI can branch on (docs/ci.md): which kind of failure stopped the run, from
/// the exception that stopped it. The host (Cake's ExceptionLogger) gives 1 to everything else.
/// </summary>
public static class ExitCodes
{
    /// <summary>Every task succeeded.</summary>
    public const int Success = 0;

    /// <summary>The build failed: a toolchain, cargo, the host's packages, the emulator, anything not below.</summary>
    public const int BuildFailed = 1;

    /// <summary>Bad input: the command line (an unknown target or argument), a switch, a recipe, a fleet file, --artifact. Nothing ran on a device.</summary>
    public const int BadInput = 2;

    /// <summary>A device: not resolved, reached or logged in to, or Deploy/Rollback failed on it (a fleet: on any device).</summary>
    public const int DeviceFailed = 3;

    public static int? For(Exception failure) => failure switch
    {
        InputException or FrostingException => BadInput,
        DeviceException => DeviceFailed,
        _ => null,
    };
}
