using Crossboard.Artifacts;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>Who to deploy to: one device (--device, or the emulator) or a fleet (--devices=FILE).</summary>
/// <param name="Device">--device (null: the emulator).</param>
/// <param name="DevicesFile">--devices=FILE.</param>
/// <param name="Identity">--identity=FILE.</param>
/// <param name="HostKey">--host-key=SHA256:...</param>
/// <param name="Parallelism">--parallel=N.</param>
/// <param name="Preset">A device another stage already resolved (the emulator's).</param>
public sealed record DeployAudience(
    string? Device,
    string? DevicesFile,
    string? Identity,
    string? HostKey,
    int Parallelism,
    DeviceTarget? Preset = null);

/// <summary>
/// The deploy stage as the tasks call it: one device or a fleet, deploy or rollback. A fleet
/// prints one table row per device and fails (non-zero exit) if any device failed.
/// </summary>
public sealed class DeployStage(DeploySettings settings, DeviceResolver resolver, IBuildLog log)
{
    public IReadOnlyList<DeviceResult> Deploy(DeployAudience audience, BuiltArtifact artifact, CancellationToken cancellation = default)
    {
        var deployer = new Deployer(settings, log);
        return Each(audience, (target, prefix) => deployer.Deploy(target, artifact, prefix, cancellation), cancellation);
    }

    public IReadOnlyList<DeviceResult> Rollback(DeployAudience audience, string appName, CancellationToken cancellation = default)
    {
        var deployer = new Deployer(settings, log);
        return Each(audience, (target, prefix) => deployer.Rollback(target, appName, prefix, cancellation), cancellation);
    }

    /// <summary>The single device the audience names (Run works on one device).</summary>
    public DeviceTarget Single(DeployAudience audience)
    {
        if (audience.DevicesFile is not null)
        {
            throw new CrossboardException("--devices is for Deploy and Rollback; Run shows one device's output: give it --device=... instead.");
        }

        return audience.Preset ?? Resolve(audience.Device, audience.Identity, audience.HostKey, null);
    }

    /// <summary>
    /// A binary built elsewhere (--artifact=FILE), checked against the board as the cargo stage
    /// checks its own (machine, byte order, ISA, float ABI, loader, size; a file that is no ELF
    /// program is refused saying what it is), and described the same way.
    /// </summary>
    /// <param name="emulatedDevice">When the deploy goes to the board's emulated device: that device as binaries see it, which also runs what fits its Debian userland.</param>
    public static BuiltArtifact ArtifactFromFile(string path, string rustTarget, Recipes.Board board, IBuildLog log, Recipes.Board? emulatedDevice = null)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new InputException($"--artifact={path}: no such file ({full}).");
        }

        ArtifactVerdict verdict;
        try
        {
            board = ArtifactCheck.CheckedAgainst(full, board, emulatedDevice);
            verdict = ArtifactCheck.Require(full, board, log);
            InstallGuard.RefuseVitalName(Path.GetFileName(full));
        }
        catch (CrossboardException refused) when (refused is not InputException)
        {
            // A binary given on the command line that cannot go to this board is bad input, not a failed build.
            throw new InputException(refused.Message, refused);
        }

        log.Information(verdict.Summary);
        var (size, sha256, md5) = BuiltArtifact.Measure(full);
        return new BuiltArtifact(full, Path.GetFileName(full), rustTarget, size, sha256, $"{verdict.Summary}, given with --artifact", md5) { CheckedFor = board.Name };
    }

    private IReadOnlyList<DeviceResult> Each(DeployAudience audience, Func<DeviceTarget, string?, DeviceResult> operation, CancellationToken cancellation)
    {
        if (audience.DevicesFile is null)
        {
            try
            {
                var target = audience.Preset ?? Resolve(audience.Device, audience.Identity, audience.HostKey, null);
                return [operation(target, null)];
            }
            catch (Exception ex) when (ex is not (DeviceException or InputException or OperationCanceledException))
            {
                // Whatever stopped the work on the device (not resolved, not reached, refused, failed
                // there) is the device's failure, as it is a fleet's row; the message is unchanged.
                throw new DeviceException(ex.Message, inner: ex);
            }
        }

        if (audience.Device is not null)
        {
            throw new CrossboardException("Give either --device (one device) or --devices=FILE (a fleet), not both.");
        }

        var entries = DeviceInventory.Load(audience.DevicesFile);
        var devices = entries
            .Select(e => (e.Name, (Func<DeviceTarget>)(() => Resolve(e.Target, e.Identity ?? audience.Identity, e.HostKey ?? audience.HostKey, e.Name))))
            .ToList();
        var results = FleetRunner.Run(devices, audience.Parallelism, (target, name) => operation(target, name), log,
            name => settings.LogDir is null ? null : settings.LogFileFor(name), cancellation);
        log.Information(FleetRunner.Table(results));
        var failed = results.Where(r => !r.Succeeded).ToList();
        if (failed.Count > 0)
        {
            throw new FleetFailedException(
                $"{failed.Count} of {results.Count} device(s) failed: {string.Join(", ", failed.Select(f => f.Device))}. " +
                "Each failure is in the table above" + (settings.LogDir is null ? "." : $"; every device's full log is in {settings.LogDir}."),
                results);
        }

        return results;
    }

    private DeviceTarget Resolve(string? device, string? identity, string? hostKey, string? name)
    {
        lock (resolver)
        {
            var target = resolver.Resolve(device, identity, hostKey, name);
            foreach (var note in resolver.Notes)
            {
                log.Verbose(note);
            }

            resolver.Notes.Clear();
            return target;
        }
    }
}
