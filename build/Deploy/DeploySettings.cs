using Crossboard.FastPath;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>Everything a deploy needs besides the device and the binary: the recipe's [deploy] table plus switches.</summary>
public sealed record DeploySettings
{
    /// <summary>The directory on the device the binary goes into (recipe install-dir, or --install-dir).</summary>
    public required string InstallDir { get; init; }

    /// <summary>procd, systemd, background or none (recipe service).</summary>
    public required string Service { get; init; }

    /// <summary>The board every binary deployed must fit (the same check CargoBuild runs): checked before any connection.</summary>
    public required Recipes.Board Board { get; init; }

    /// <summary>
    /// When the deploy goes to the board's emulated device: that device as binaries see it (Debian's
    /// userland, <see cref="Emulator.EmulatorDevices.DeviceView"/>); a binary that does not fit the
    /// board but fits it (linked dynamically against Debian's libraries) may go there.
    /// </summary>
    public Recipes.Board? EmulatedDevice { get; init; }

    /// <summary>The app's arguments and environment on the device.</summary>
    public AppLaunch Launch { get; init; } = AppLaunch.Plain;

    /// <summary>--force: replace a file crossboard did not install (never one the device needs to boot and be reached).</summary>
    public bool Force { get; init; }

    /// <summary>--keep-failed: a build that fails to start or fails the smoke check stays installed (default: the previous one is put back).</summary>
    public bool KeepFailed { get; init; }

    /// <summary>The clock whose time the device's record of installed files carries.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The smoke check URL template with {host}; null for no check.</summary>
    public string? SmokeUrl { get; init; }

    /// <summary>Text the smoke check's answer must contain (empty: any 2xx answer).</summary>
    public string? SmokeExpect { get; init; }

    public TimeSpan SmokeTimeout { get; init; } = TimeSpan.FromSeconds(DefaultSmokeTimeoutSeconds);

    /// <summary>--smoke-timeout's default.</summary>
    public const int DefaultSmokeTimeoutSeconds = 30;

    /// <summary>How long to wait for the device's SSH server (and for any SSH operation to progress).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public CompressionMode Compression { get; init; } = CompressionMode.Auto;

    /// <summary>
    /// Where the binaries sent are kept (the work dir's state/sent), so that a redeploy sends only
    /// what changed (<see cref="DeltaUpload"/>); null: always the whole binary. --compress=no sends it whole too.
    /// </summary>
    public string? SentDir { get; init; }

    /// <summary>--transfer: how the bytes go (auto: an exec channel, else SFTP, else SCP; see <see cref="TransferSelector"/>).</summary>
    public TransferPreference Transfer { get; init; } = TransferPreference.Auto;

    public DeployCredentials Credentials { get; init; } = new();

    /// <summary>known_hosts used when the device has no pin and ~/.ssh/config names none.</summary>
    public required string DefaultKnownHosts { get; init; }

    /// <summary>Where each device's log file goes (one file per device); null for none.</summary>
    public string? LogDir { get; init; }

    /// <summary>
    /// Space to leave free on the device beyond the binary: a full OpenWrt overlay breaks config
    /// writes (uci commit) until something is deleted.
    /// </summary>
    public long ReserveBytes { get; init; } = 128 * 1024;

    /// <summary>Called with (bytes sent, total) as the upload goes (benchmarks and tests watch it).</summary>
    public Action<long, long>? OnUploadProgress { get; init; }

    /// <summary>A connection to the single device, opened while the build ran (taken over when it is to the device deployed to).</summary>
    public EarlyConnection? EarlyConnection { get; init; }

    public string LogFileFor(string device) => LogDir is null ? "" : Path.Combine(LogDir, DeviceLog.FileNameFor(device));
}

/// <summary>What happened on one device.</summary>
/// <param name="Device">The device's name.</param>
/// <param name="Succeeded">Whether everything, smoke check included, went well.</param>
/// <param name="Outcome">"deployed", "unchanged", "rolled back", "failed", or "reverted" (failed, and the device is as it was).</param>
/// <param name="Method">How the bytes went (null when nothing was sent).</param>
/// <param name="BytesSent">Bytes put on the wire for the binary (compressed size when gzip was used).</param>
/// <param name="Elapsed">Wall time for this device.</param>
/// <param name="Detail">One line: the smoke check, or the first line of the failure.</param>
/// <param name="LogFile">The device's log file, if any.</param>
public sealed record DeviceResult(
    string Device,
    bool Succeeded,
    string Outcome,
    TransferMethod? Method,
    long BytesSent,
    TimeSpan Elapsed,
    string Detail,
    string? LogFile)
{
    /// <summary>The full failure message (null on success).</summary>
    public string? Error { get; init; }
}

/// <summary>A deploy that failed on a device, and what became of the device ("reverted": as it was before).</summary>
public sealed class DeployFailedException(string message, string outcome, string? logPath = null, Exception? inner = null)
    : DeviceException(message, logPath, inner)
{
    public string Outcome { get; } = outcome;
}
