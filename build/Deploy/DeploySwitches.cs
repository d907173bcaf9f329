using Crossboard.Machine;
using Crossboard.Switches;

namespace Crossboard.Deploy;

/// <summary>
/// The deploy switches, read once by the build context and checked there (<see cref="Read"/>):
/// a bad value stops the run before its first task, so that a typo costs no build and no boot.
/// Null means absent (the recipe's [deploy] table or the default decides).
/// </summary>
public sealed record DeploySwitches
{
    public string? InstallDir { get; init; }

    /// <summary>--smoke-url as given ("none": no check).</summary>
    public string? SmokeUrl { get; init; }

    public string? SmokeExpect { get; init; }

    public int? SmokeTimeoutSeconds { get; init; }

    public CompressionMode? Compress { get; init; }

    public TransferPreference? Transfer { get; init; }

    public string? PasswordEnv { get; init; }

    public string? PassphraseEnv { get; init; }

    /// <summary>--devices=FILE, as a full path; its devices were read and checked too.</summary>
    public string? DevicesFile { get; init; }

    public string? Identity { get; init; }

    public string? HostKey { get; init; }

    public int? Parallel { get; init; }

    /// <summary>--artifact=FILE, as a full path (an existing file).</summary>
    public string? ArtifactFile { get; init; }

    /// <summary>--force: replace a file crossboard did not install (never one that keeps the device reachable).</summary>
    public bool Force { get; init; }

    /// <summary>--keep-failed: leave a build that fails to start or answer installed, for debugging, instead of reverting.</summary>
    public bool KeepFailed { get; init; }

    public static readonly IReadOnlyDictionary<string, CompressionMode> CompressChoices = new Dictionary<string, CompressionMode>
    {
        ["auto"] = CompressionMode.Auto,
        ["yes"] = CompressionMode.Always,
        ["true"] = CompressionMode.Always,
        ["gzip"] = CompressionMode.Always,
        ["no"] = CompressionMode.Never,
        ["false"] = CompressionMode.Never,
    };

    public static readonly IReadOnlyDictionary<string, TransferPreference> TransferChoices = new Dictionary<string, TransferPreference>
    {
        ["auto"] = TransferPreference.Auto,
        ["exec"] = TransferPreference.Exec,
        ["sftp"] = TransferPreference.Sftp,
        ["scp"] = TransferPreference.Scp,
    };

    /// <summary>Reads and checks every deploy switch; problems go to <paramref name="read"/> (the build context stops on them).</summary>
    public static DeploySwitches Read(SwitchReader read)
    {
        var switches = new DeploySwitches
        {
            InstallDir = read.Parsed("install-dir", CheckInstallDir),
            SmokeUrl = read.Parsed("smoke-url", CheckSmokeUrl),
            SmokeExpect = read.Text("smoke-expect"),
            SmokeTimeoutSeconds = read.Number("smoke-timeout", 1, 3600, "a number of seconds from 1 to 3600"),
            Compress = read.Choice("compress", CompressChoices, "auto (measure the link), yes or no"),
            Transfer = read.Choice("transfer", TransferChoices, "auto (an exec channel, else SFTP, else SCP), exec, sftp or scp"),
            PasswordEnv = read.SetVariable("password-env", "the device's password"),
            PassphraseEnv = read.Text("passphrase-env"),
            DevicesFile = read.ExistingFile("devices"),
            Identity = read.ExistingFile("identity"),
            HostKey = read.Parsed("host-key", CheckHostKey),
            Parallel = read.Number("parallel", 1, 64),
            ArtifactFile = read.ExistingFile("artifact"),
            Force = read.Flag("force"),
            KeepFailed = read.Flag("keep-failed"),
        };
        if (switches.DevicesFile is { } fleet)
        {
            // The whole fleet file now: a bad line or target fails before anything is built.
            read.Parsed("devices", _ => CheckFleet(fleet));
        }

        return switches;
    }

    private static string CheckInstallDir(string dir) =>
        dir.StartsWith('/') && !dir.Any(char.IsControl)
            ? dir
            : throw new CrossboardException($"--install-dir={dir}: give an absolute directory on the device, e.g. /usr/bin or /opt/app/bin.");

    private static string CheckSmokeUrl(string url)
    {
        if (!url.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            SmokeCheck.Validate(url, "--smoke-url");
        }

        return url;
    }

    private static string CheckHostKey(string pin) => HostKeyVerifier.IsValidPin(pin)
        ? pin
        : throw new CrossboardException(
            $"--host-key={pin} is not an SHA256 fingerprint. Give it as ssh-keygen -lf prints it, e.g. --host-key=SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s");

    private static bool CheckFleet(string path)
    {
        foreach (var entry in DeviceInventory.Load(path))
        {
            if (!entry.Target.Equals(DeviceResolver.Emulator, StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    DeviceResolver.Parse(entry.Target);
                }
                catch (CrossboardException ex)
                {
                    throw new CrossboardException($"{entry.Where}: {ex.Message}");
                }
            }
        }

        return true;
    }
}
