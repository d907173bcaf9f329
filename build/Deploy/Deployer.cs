using System.Diagnostics;
using Crossboard.Artifacts;
using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// Puts a binary on one device so that it is never half there, and never where it does not
/// belong: checks it fits the board, writes only over what crossboard's record on the device says
/// it installed (<see cref="InstallGuard"/>), checks space, uploads beside the target as
/// &lt;target&gt;.new, verifies the checksum on the device, keeps the previous binary as
/// &lt;target&gt;.bak, records both and renames the new one into place (rename is atomic within a
/// filesystem). Then (re)starts the app the board's way and runs the smoke check; a build that
/// fails either is reverted (<see cref="Reverter"/>). <see cref="Rollback"/> swaps the backup back.
/// </summary>
public sealed class Deployer(DeploySettings settings, IBuildLog log)
{
    /// <param name="prefix">Prefix for every log line (the device's name, when several deploy at once).</param>
    public DeviceResult Deploy(DeviceTarget target, BuiltArtifact artifact, string? prefix = null, CancellationToken cancellation = default)
    {
        using var deviceLog = new DeviceLog(log, prefix, settings.LogDir is null ? null : settings.LogFileFor(target.Name)) { Secrets = settings.Launch.Secrets.ToList() };
        var watch = Stopwatch.StartNew();
        var targetPath = RemoteShell.Join(settings.InstallDir, artifact.Name);
        // Before any connection: the binary fits the board (the check CargoBuild runs; done once
        // for a fleet), and its name is none the device cannot do without.
        artifact = Fit(artifact, deviceLog);
        InstallGuard.RefuseVitalName(artifact.Name);
        deviceLog.Information(
            $"Deploying {artifact.Name} ({ProgressLine.Size(artifact.Size)}, sha256 {Short(artifact.Sha256)}) to {Describe(target)} as {targetPath}");
        using var connection = Connect(target, deviceLog, out var reused);
        deviceLog.Verbose($"Host key {connection.HostKey}");

        // One command looks at everything, compares the installed binary with this one, reads
        // crossboard's record of what it installed, and, if this very build is installed and
        // recorded, makes sure the app runs: a deploy with nothing to send is one round trip.
        var wanted = ExpectedBinary.Of(artifact.Path, artifact.Size, artifact.Sha256, artifact.Md5);
        var time = InstallRecord.Now(settings.Clock);
        var probe = new ServiceManager(connection, settings.Service, artifact.Name, targetPath, recording: new ServiceRecording(null, time, settings.Board.Name), launch: settings.Launch);
        var ensureRunning = probe.Script(restart: false);
        var look = LookFirst(connection, reused, deviceLog, () => DeviceLook.Run(connection, targetPath, wanted, ensureRunning, probe.DefinitionFile));
        var facts = look.Facts;
        var state = look.State;
        deviceLog.Verbose($"Device commands: {facts.Describe()}");
        // The look compared, and an upload is checked, with the same tool: md5sum, else sha256sum.
        var tool = facts.VerifyTool ?? throw new CrossboardException(
            $"Device '{target.Name}' has neither sha256sum nor md5sum, so an upload cannot be verified there. Enable one of the two busybox applets in its firmware.",
            deviceLog.LogFile);
        var expected = tool == "sha256sum" ? artifact.Sha256.ToLowerInvariant() : artifact.Md5;
        if (state.RemovedLeftover)
        {
            deviceLog.Information($"Removed {targetPath}.new, a partial upload left by an interrupted deploy.");
        }

        if (state.IsDirectory)
        {
            throw new CrossboardException(
                $"{targetPath} on device '{target.Name}' is a directory, not a file. Remove it or choose another --install-dir.", deviceLog.LogFile);
        }

        var sudo = Privilege(connection, look, targetPath);
        var service = new ServiceManager(connection, settings.Service, artifact.Name, targetPath, sudo, new ServiceRecording(look.Manifest, time, settings.Board.Name), settings.Launch)
        {
            SmokeCheckFollows = !string.IsNullOrWhiteSpace(settings.SmokeUrl),
        };
        var record = new InstalledFile(artifact.Name, $"{Digest(tool)}:{expected}", artifact.Size, time, settings.Board.Name, targetPath);
        // The checksum matched on the device, and crossboard installed it.
        if (look.Same)
        {
            deviceLog.Information($"The device already has this build of {artifact.Name} ({tool} {Short(expected)}): nothing transferred.");
            var running = look.Service is { } answer ? service.Interpret(answer, restart: false) : service.Apply(restart: false);
            deviceLog.Information(Capitalise(running.Summary) + ".");
            var detail = Smoke(target, service, deviceLog, cancellation, null);
            return new DeviceResult(target.Name, true, "unchanged", null, 0, watch.Elapsed, detail, deviceLog.LogFile);
        }

        // Anything else writes to the device: only over what crossboard installed (or --force).
        var plan = InstallGuard.Check(look, targetPath, service.DefinitionFile, service.DefinitionMd5, settings.Force, deviceLog, target.Name);
        var serviceRecord = service.DefinitionRecord(time, settings.Board.Name);
        if (plan.AdoptBinary)
        {
            // The same bytes, put there by hand or before crossboard kept records: record them, send nothing.
            var edits = new List<(string, string?)> { (targetPath, record.Fields) };
            if (plan.AdoptServiceFile && serviceRecord is not null)
            {
                edits.Add((serviceRecord.Path, serviceRecord.Fields));
            }

            // Made executable as an install makes it (a copy by hand may have lost the mode).
            connection.RunChecked(Sudo(sudo, $"chmod 755 {RemoteShell.Quote(targetPath)} || exit 4\n" + InstallRecord.Locate(look.Manifest) + InstallRecord.Functions + InstallRecord.Set(edits.ToArray())),
                $"record {targetPath}", $"Recording {targetPath} in {look.Manifest} failed");
            deviceLog.Information(
                $"The device already has this build of {artifact.Name} ({tool} {Short(expected)}), installed without crossboard's record: recorded it in {look.Manifest}; nothing transferred.");
            var running = service.Apply(restart: false);
            deviceLog.Information(Capitalise(running.Summary) + ".");
            var detail = Smoke(target, service, deviceLog, cancellation, null);
            return new DeviceResult(target.Name, true, "unchanged", null, 0, watch.Elapsed, detail, deviceLog.LogFile);
        }

        if (state.Differs is { } why)
        {
            deviceLog.Verbose(why == "size"
                ? $"The installed {targetPath} ({ProgressLine.Size(state.Size ?? 0)}) differs in size: a new build."
                : $"The installed {targetPath} differs in its first {DeviceLook.HeadBytes / 1024} KiB: a new build.");
        }

        if (look.Target.Record is { } previous && state.Checksum is { } now && previous.DigestFor(tool) is { } recorded && recorded != now)
        {
            deviceLog.Warning($"{targetPath} changed on the device since crossboard installed it ({previous.Time}); it is replaced, and kept as {targetPath}.bak.");
        }

        // What the binary there becomes once it is the backup: crossboard's own; or, with --force, a
        // plain file of the app's name taken over as the app's (from a crossboard before the
        // record, or copied by hand); or the device's own file (a package's, a link), kept so that
        // Rollback or a revert can put it back. Board "-": checked for no board.
        var hadFile = state.Exists || look.Target.Exists;
        var plain = look.Target.PackageLists.Count == 0 && look.Target.LinkTo is null && !look.Target.Busybox;
        var kept = !hadFile ? null : look.Target.Record?.At(targetPath + ".bak") ?? new InstalledFile(
            plain ? artifact.Name : InstalledFile.DeviceOwn, state.Checksum is { } sum ? $"{Digest(tool)}:{sum}" : "-", state.Size ?? 0, time, "-", targetPath + ".bak");
        // A dynamically linked binary needs its shared libraries on the device: refuse before the upload.
        DeviceLibraries.Require(connection, artifact.Name, ElfFile.Read(artifact.Path).Needed, target.Name, deviceLog, deviceLog.LogFile,
            emulated: settings.EmulatedDevice is not null);
        EnsureSpace(connection, deviceLog, look, artifact, targetPath, sudo);
        var install = InstallScript(tool, expected, targetPath, look.Manifest, record, kept,
            plan.AdoptServiceFile ? serviceRecord : null, service.DefinitionFile);
        // The delta's base: the binary there, when it is a plain file (its checksum from the look, else from the record).
        var baseDigest = hadFile && plain && look.Target.LinkTo is null ? state.Checksum ?? look.Target.Record?.DigestFor(tool) : null;
        var (method, sent, answered) = Upload(connection, facts, state, deviceLog, artifact, targetPath, sudo, install, tool, baseDigest, cancellation);
        Install(connection, deviceLog, tool, expected, targetPath, sudo, install, answered);
        if (settings.SentDir is not null)
        {
            new SentCache(settings.SentDir).Remember(artifact);
        }

        deviceLog.Information(!hadFile
            ? $"Installed {targetPath}."
            : $"Installed {targetPath}; the previous binary is kept as {targetPath}.bak (--target=Rollback restores it).");
        // --keep-failed leaves a failed build where it is, as Deploy did before it could revert.
        var installed = !settings.KeepFailed ? null : !hadFile
            ? $"The new binary stays installed as {targetPath} (--keep-failed)."
            : $"The new binary stays installed (--keep-failed); the previous one is kept as {targetPath}.bak: --target=Rollback restores it.";
        var revert = new Reverter(connection, service, deviceLog, settings, target, sudo, look, targetPath, kept, tool);
        try
        {
            try
            {
                deviceLog.Information(Capitalise(service.Apply(restart: true).Summary) + ".");
            }
            catch (CrossboardException ex) when (installed is not null)
            {
                throw new CrossboardException(ex.Message + Environment.NewLine + installed, deviceLog.LogFile, ex);
            }

            var detail = Smoke(target, service, deviceLog, cancellation, installed);
            return new DeviceResult(target.Name, true, "deployed", method, sent, watch.Elapsed, detail, deviceLog.LogFile);
        }
        catch (CrossboardException ex) when (!settings.KeepFailed && !cancellation.IsCancellationRequested)
        {
            // The new build does not start or does not answer: the device goes back to what it was.
            throw revert.After(ex, cancellation);
        }
    }

    /// <summary>
    /// Puts the backup (&lt;target&gt;.bak) back in place; the replaced binary becomes the backup, so a
    /// second Rollback undoes the first. Only a backup crossboard's record lists, over a binary it
    /// installed, checked for this board; when the restored build does not start or answer, the
    /// swap is undone (unless --keep-failed).
    /// </summary>
    public DeviceResult Rollback(DeviceTarget target, string appName, string? prefix = null, CancellationToken cancellation = default)
    {
        using var deviceLog = new DeviceLog(log, prefix, settings.LogDir is null ? null : settings.LogFileFor(target.Name)) { Secrets = settings.Launch.Secrets.ToList() };
        var watch = Stopwatch.StartNew();
        var targetPath = RemoteShell.Join(settings.InstallDir, appName);
        InstallGuard.RefuseVitalName(appName, "roll back");
        deviceLog.Information($"Rolling back {targetPath} on {Describe(target)}");
        using var connection = Connect(target, deviceLog, out var reused);
        var definition = new ServiceManager(connection, settings.Service, appName, targetPath, launch: settings.Launch).DefinitionFile;
        var look = LookFirst(connection, reused, deviceLog, () => DeviceLook.Run(connection, targetPath, serviceFile: definition));
        var facts = look.Facts;
        var sudo = Privilege(connection, look, targetPath);
        if (!look.Backup.Exists)
        {
            throw new CrossboardException(
                $"There is no backup to roll back to on device '{target.Name}': {targetPath}.bak does not exist (a backup is kept from the second deploy on).",
                deviceLog.LogFile);
        }

        InstallGuard.CheckRollback(look, targetPath, settings.Board.Name, target.Name);
        var swap = SwapScript(look, targetPath, facts.ChecksumTool);
        var service = new ServiceManager(connection, settings.Service, appName, targetPath, sudo, new ServiceRecording(look.Manifest, InstallRecord.Now(settings.Clock), settings.Board.Name), settings.Launch);
        if (look.Backup.Record!.App == InstalledFile.DeviceOwn)
        {
            // The backup is the device's own file that a --force deploy replaced: it goes back, and
            // the app that replaced it stops (its service definition, crossboard's, goes too).
            Swap(connection, deviceLog, sudo, service.StopScript(remove: look.ServiceFile.Record is not null) + swap, targetPath, target.Name);
            deviceLog.Information(
                $"Rolled back: {targetPath} is the device's own file again (the one --force replaced), and {appName} is stopped; " +
                $"the build that replaced it is now {targetPath}.bak.");
            return new DeviceResult(target.Name, true, "rolled back", null, 0, watch.Elapsed, "the device's own file is back", deviceLog.LogFile);
        }

        Swap(connection, deviceLog, sudo, swap, targetPath, target.Name);
        var now = facts.ChecksumTool is { } tool ? look.Backup.Record!.DigestFor(tool) : null;
        deviceLog.Information(
            $"Rolled back: {targetPath} is the previous binary again{(now is null ? "" : $" ({facts.ChecksumTool} {Short(now)})")}; " +
            $"the one it replaced is now {targetPath}.bak (Rollback again to return to it).");
        try
        {
            deviceLog.Information(Capitalise(service.Apply(restart: true).Summary) + ".");
            var detail = Smoke(target, service, deviceLog, cancellation, null);
            return new DeviceResult(target.Name, true, "rolled back", null, 0, watch.Elapsed, detail, deviceLog.LogFile);
        }
        catch (CrossboardException ex) when (!settings.KeepFailed && !cancellation.IsCancellationRequested)
        {
            // The build rolled back to does not run: swap again, so the one that ran stays.
            if (look.Target.Record is null)
            {
                throw new DeployFailedException(ex.Message + Environment.NewLine + $"There was no {targetPath} before the Rollback to go back to.", "failed", deviceLog.LogFile, ex);
            }

            var back = SwapScript(look with { Target = look.Backup, Backup = look.Target }, targetPath, null);
            try
            {
                Swap(connection, deviceLog, sudo, back, targetPath, target.Name);
                deviceLog.Information(Capitalise(service.Apply(restart: true).Summary) + ".");
            }
            catch (CrossboardException again)
            {
                throw new DeployFailedException(
                    ex.Message + Environment.NewLine + $"Undoing the rollback failed too: {again.Message}", "failed", deviceLog.LogFile, ex);
            }

            throw new DeployFailedException(
                ex.Message + Environment.NewLine +
                $"Undone on device '{target.Name}': {targetPath} is the build that ran before the Rollback again, restarted; the backup stays {targetPath}.bak. " +
                "--keep-failed leaves a failed Rollback in place.",
                "reverted", deviceLog.LogFile, ex);
        }
    }

    /// <summary>
    /// Swaps &lt;target&gt;.bak and &lt;target&gt; (one rename puts the backup in place: the target exists at
    /// every moment) and the two lines of the record; first proves the backup is the file the
    /// record describes (exit 6 when it changed since).
    /// </summary>
    private static string SwapScript(DeviceLook look, string targetPath, string? tool)
    {
        var backup = look.Backup.Record!;
        var verify = tool is not null && backup.DigestFor(tool) is { } digest
            ? $"s=$({tool} \"$t.bak\") || exit 4; s=${{s%% *}}; [ \"$s\" = {digest} ] || {{ echo \"changed $s\"; exit 6; }}\n"
            : "";
        return $"t={RemoteShell.Quote(targetPath)}\n" +
            InstallRecord.Locate(look.Manifest) + InstallRecord.Functions +
            "[ -f \"$t.bak\" ] || { echo nobackup; exit 3; }\n" +
            verify +
            "rm -f \"$t.prev\"\n" +
            "if [ -e \"$t\" ]; then ln -f \"$t\" \"$t.prev\" 2>/dev/null || cp -p \"$t\" \"$t.prev\" || exit 4; fi\n" +
            "mv -f \"$t.bak\" \"$t\" || exit 4\n" +
            "[ -e \"$t.prev\" ] && mv -f \"$t.prev\" \"$t.bak\"\n" +
            // The device's own file, put back, is no longer crossboard's: it leaves the record (and is protected again).
            InstallRecord.Set((targetPath, backup.App == InstalledFile.DeviceOwn ? null : backup.At(targetPath).Fields),
                (targetPath + ".bak", look.Target.Record?.At(targetPath + ".bak").Fields)) +
            "sync\n";
    }

    private static void Swap(DeviceConnection connection, DeviceLog deviceLog, string sudo, string script, string targetPath, string device)
    {
        var result = connection.Run(Sudo(sudo, script), $"roll back {targetPath}");
        if (result.ExitStatus == 3)
        {
            throw new CrossboardException(
                $"There is no backup to roll back to on device '{device}': {targetPath}.bak does not exist (a backup is kept from the second deploy on).",
                deviceLog.LogFile);
        }

        if (result.ExitStatus == 6)
        {
            throw new CrossboardException(
                $"{targetPath}.bak on device '{device}' changed since crossboard kept it (its checksum is {result.Output.Split(' ').LastOrDefault()?.Trim()} now): " +
                "Rollback puts back only the backup Deploy made. Nothing was changed.", deviceLog.LogFile);
        }

        if (!result.Succeeded)
        {
            throw new CrossboardException($"Rolling back {targetPath} on device '{device}' failed: {result.Diagnostic}", deviceLog.LogFile);
        }
    }

    /// <summary>The binary as checked against the board: CargoBuild's (and --artifact's) check for this board counts; anything else is checked now.</summary>
    private BuiltArtifact Fit(BuiltArtifact artifact, DeviceLog deviceLog)
    {
        if (string.Equals(artifact.CheckedFor, settings.Board.Name, StringComparison.OrdinalIgnoreCase) ||
            (settings.EmulatedDevice is { } emulated && string.Equals(artifact.CheckedFor, emulated.Name, StringComparison.OrdinalIgnoreCase)))
        {
            return artifact;
        }

        var board = ArtifactCheck.CheckedAgainst(artifact.Path, settings.Board, settings.EmulatedDevice);
        var verdict = ArtifactCheck.Require(artifact.Path, board, deviceLog);
        deviceLog.Verbose(verdict.Summary);
        return artifact with { CheckedFor = board.Name };
    }

    /// <summary>The record's name for a checksum tool's digests (md5sum: "md5").</summary>
    private static string Digest(string tool) => tool.Replace("sum", "", StringComparison.Ordinal);

    /// <summary>
    /// "" when the login user can write the install directory, "sudo -n " when it cannot but may
    /// sudo without a password (a Pi's "pi" user and /usr/local/bin), else a clear refusal. The
    /// look asked the device (sudo -n true only when needed).
    /// </summary>
    private static string Privilege(DeviceConnection connection, DeviceLook look, string targetPath)
    {
        if (look.Privilege != Crossboard.Deploy.Privilege.None)
        {
            return look.Sudo;
        }

        throw new CrossboardException(
            $"User {connection.Target.User} cannot write {RemoteShell.DirectoryOf(targetPath)} on device '{connection.Target.Name}', and has no passwordless sudo there. " +
            "Deploy as root (--device=root@...), allow passwordless sudo for this user, or choose a directory the user owns with --install-dir=DIR.");
    }

    /// <summary>The early connection when it is to this device (see <see cref="EarlyConnection"/>), else a new one.</summary>
    private DeviceConnection Connect(DeviceTarget target, DeviceLog deviceLog, out bool reused)
    {
        if (settings.EarlyConnection?.Take(target, deviceLog) is { } early)
        {
            reused = true;
            return early;
        }

        reused = false;
        return DeviceConnection.Open(target, settings.Credentials, deviceLog, settings.ConnectTimeout, settings.DefaultKnownHosts);
    }

    /// <summary>
    /// The first command on the connection. A connection opened early may have been cut since
    /// (the device rebooted, the emulator was restarted): then connect again, once.
    /// </summary>
    private static DeviceLook LookFirst(DeviceConnection connection, bool reused, DeviceLog deviceLog, Func<DeviceLook> look)
    {
        try
        {
            return look();
        }
        catch (CrossboardException ex) when (reused && ex.InnerException is not null)
        {
            deviceLog.Detail($"The connection opened while building broke ({ex.InnerException.Message}): connecting again.");
            connection.Reconnect();
            return look();
        }
    }

    private void EnsureSpace(DeviceConnection connection, DeviceLog deviceLog, DeviceLook look, BuiltArtifact artifact, string targetPath, string sudo)
    {
        var state = look.State;
        if (state.FreeBytes is not { } free)
        {
            deviceLog.Warning($"The device did not say how much space is free for {targetPath} (df and stat -f failed): uploading without checking.");
            return;
        }

        var needed = artifact.Size + settings.ReserveBytes;
        deviceLog.Verbose($"{ProgressLine.Size(free)} free on {state.FreeOn}; {artifact.Name} needs {ProgressLine.Size(artifact.Size)} plus {ProgressLine.Size(settings.ReserveBytes)} kept free.");
        if (free >= needed)
        {
            return;
        }

        // Only a backup crossboard made (and its line in the record) may go to make room.
        if (state.BackupBytes is { } backup && look.Backup.Record is not null && free + backup >= needed)
        {
            connection.RunChecked(
                Sudo(sudo, $"rm -f {RemoteShell.Quote(targetPath + ".bak")}\n" + InstallRecord.Locate(look.Manifest) + InstallRecord.Functions + InstallRecord.Set((targetPath + ".bak", null))),
                "remove the old backup", "Removing the old backup failed");
            deviceLog.Information(
                $"Removed the old backup {targetPath}.bak ({ProgressLine.Size(backup)}) to make room; the binary installed now becomes the new backup.");
            return;
        }

        throw new CrossboardException(
            $"Not enough space on device '{connection.Target.Name}' for {artifact.Name}: it needs {ProgressLine.Size(artifact.Size)} " +
            $"({artifact.Size} bytes) plus {ProgressLine.Size(settings.ReserveBytes)} kept free, but {state.FreeOn ?? RemoteShell.DirectoryOf(targetPath)} " +
            $"has {ProgressLine.Size(free)} ({free / 1024} KiB) free (df -Pk). Nothing was uploaded; the device keeps its current binary." + Environment.NewLine +
            $"Free {ProgressLine.Size(needed - free)} on the device (e.g. remove unused packages: opkg remove ...), install elsewhere with --install-dir=DIR " +
            "(an SD card or USB stick), or make the binary smaller (the recipe's size-profile: strip, LTO, opt-level z).",
            deviceLog.LogFile);
    }

    /// <param name="install">The verify-and-install script, which an exec-channel upload runs in its own command.</param>
    /// <param name="installed">The checksum (with <paramref name="tool"/>) of the binary the device has, when it is a plain file: a delta's base.</param>
    /// <returns>How it went, the bytes sent, and the install script's answer when the upload's command ran it (null: the caller runs it).</returns>
    private (TransferMethod, long, RemoteResult?) Upload(DeviceConnection connection, DeviceFacts facts, TargetState state, DeviceLog deviceLog, BuiltArtifact artifact, string targetPath, string sudo, string install,
        string tool, string? installed, CancellationToken cancellation)
    {
        var temporary = targetPath + ".new";
        var directory = RemoteShell.DirectoryOf(targetPath);
        if (!state.DirectoryExists)
        {
            connection.RunChecked(Sudo(sudo, $"mkdir -p {RemoteShell.Quote(directory)}"), $"create {directory}", $"Creating {directory} failed");
        }

        if (PlanDelta(facts, deviceLog, artifact, tool, installed) is { } delta)
        {
            var upload = new ExecUpload(connection, compressed: false, sudo, install,
                path => DeltaUpload.WriteCommand(targetPath, path, delta.ListLength, delta.Compressed));
            try
            {
                var answered = Send(connection, deviceLog, artifact, targetPath, upload, new MemoryStream(delta.Wire), sudo, cancellation, rejectable: true);
                if (answered?.ExitStatus != 5)
                {
                    return (upload.Method, delta.Wire.Length, answered);
                }

                // The device's binary was not the one kept here after all (changed on the device): the checksum caught it.
                deviceLog.Warning($"The binary assembled from the changes did not match the build ({tool} {answered.Output.Trim()}); it was removed. Sending the whole binary.");
            }
            catch (UploadRejectedException rejected)
            {
                Cleanup(connection, temporary, sudo);
                deviceLog.Warning($"Assembling the binary from the changes failed on the device ({rejected.Message}). Sending the whole binary.");
            }
        }

        var decision = CompressionAdvisor.Decide(connection, facts, artifact.Path, artifact.Size, settings.Compression);
        deviceLog.Verbose($"Compression: {(decision.Compress ? "yes" : "no")}, {decision.Reason}.");
        IUpload whole;
        Stream source;
        if (decision.Compress)
        {
            var packed = CompressionAdvisor.Gzip(artifact.Path);
            deviceLog.Information($"Sending {artifact.Name} gzip-compressed ({ProgressLine.Size(packed.Length)} instead of {ProgressLine.Size(artifact.Size)}): {decision.Reason}.");
            whole = new ExecUpload(connection, compressed: true, sudo, install);
            source = new MemoryStream(packed);
        }
        else
        {
            whole = new TransferSelector(connection, facts, deviceLog, settings.Transfer).Choose(sudo, install);
            source = File.OpenRead(artifact.Path);
        }

        var total = source.Length;
        return (whole.Method, total, Send(connection, deviceLog, artifact, targetPath, whole, source, sudo, cancellation, rejectable: false));
    }

    /// <param name="rejectable">Let an <see cref="UploadRejectedException"/> through (the caller has another way), instead of failing the deploy.</param>
    private RemoteResult? Send(DeviceConnection connection, DeviceLog deviceLog, BuiltArtifact artifact, string targetPath, IUpload upload, Stream source, string sudo, CancellationToken cancellation, bool rejectable)
    {
        var temporary = targetPath + ".new";
        var total = source.Length;
        var progress = new ProgressLine($"Uploading {artifact.Name} ({Describe(upload.Method)})", deviceLog);
        long furthest = 0;
        try
        {
            using (source)
            {
                upload.Upload(source, total, temporary, done =>
                {
                    // Callbacks come from several threads; ProgressLine keeps the shown count monotonic.
                    InterlockedMax(ref furthest, done);
                    progress.Report(done, total);
                    settings.OnUploadProgress?.Invoke(done, total);
                }, cancellation);
            }

            if (Interlocked.Read(ref furthest) < total)
            {
                progress.Report(total, total);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException && !(rejectable && ex is UploadRejectedException))
        {
            var cleaned = Cleanup(connection, temporary, sudo);
            var why = ex switch
            {
                CrossboardException c => c.Message,
                UploadRejectedException r => $"Uploading {artifact.Name} to device '{connection.Target.Name}' failed: {r.Message}",
                _ => $"Uploading {artifact.Name} to device '{connection.Target.Name}' failed: {ex.Message}",
            };
            throw new CrossboardException(
                why + Environment.NewLine +
                $"The device keeps its previous binary ({targetPath} was not touched). " +
                (cleaned ? $"The partial upload {temporary} was removed." : $"The partial upload {temporary} will be removed by the next deploy."),
                deviceLog.LogFile, ex);
        }

        deviceLog.Verbose($"Uploaded {ProgressLine.Size(total)} in {progress.Elapsed.TotalSeconds:0.0} s with {Describe(upload.Method)}.");
        return (upload as ExecUpload)?.ThenResult;
    }

    private sealed record DeltaPlan(byte[] Wire, int ListLength, bool Compressed, int Pieces);

    /// <summary>
    /// Only what changed (<see cref="DeltaUpload"/>), when the device has a plain file this host
    /// sent before and kept, and the device has tail and head; null: send the whole binary. Not with
    /// --compress=no, nor with --transfer other than auto or exec (the delta needs an exec channel).
    /// </summary>
    private DeltaPlan? PlanDelta(DeviceFacts facts, DeviceLog deviceLog, BuiltArtifact artifact, string tool, string? installed)
    {
        if (settings.SentDir is null || installed is null || settings.Compression == CompressionMode.Never
            || settings.Transfer is not (TransferPreference.Auto or TransferPreference.Exec) || artifact.Size > SentCache.MaximumSize)
        {
            return null;
        }

        if (!facts.Has("tail") || !facts.Has("head"))
        {
            deviceLog.Verbose("The device lacks tail or head: sending the whole binary, not only what changed.");
            return null;
        }

        var previous = new SentCache(settings.SentDir).Find(tool, installed);
        if (previous is null)
        {
            deviceLog.Verbose($"This host kept no copy of the binary the device has ({tool} {Short(installed)}): sending the whole binary.");
            return null;
        }

        var current = File.ReadAllBytes(artifact.Path);
        if (!DeltaUpload.Related(previous, current))
        {
            deviceLog.Verbose("The build shares too little with the one the device has: sending the whole binary.");
            return null;
        }

        var pieces = DeltaUpload.Plan(previous, current);
        var compressed = facts.Has("gunzip");
        var stream = DeltaUpload.Stream(current, pieces, out var listLength);
        var wire = DeltaUpload.Encode(stream, compressed);
        // Against the whole binary gzip-compressed (~40 % for machine code) or raw: worth it when clearly smaller.
        var worth = compressed ? artifact.Size / 5 : artifact.Size / 2;
        if (pieces.Count > DeltaUpload.MaximumPieces || wire.Length > worth)
        {
            deviceLog.Verbose($"Only what changed would be {pieces.Count} pieces, {ProgressLine.Size(wire.Length)}: not worth it, sending the whole binary.");
            return null;
        }

        deviceLog.Information(
            $"Sending only what changed in {artifact.Name}: {ProgressLine.Size(wire.Length)} instead of {ProgressLine.Size(artifact.Size)} " +
            $"({pieces.Count(p => !p.Literal)} stretches of the installed build reused, {ProgressLine.Size(pieces.Where(p => p.Literal).Sum(p => p.Length))} new{(compressed ? ", gzip-compressed" : "")}).");
        return new DeltaPlan(wire, listLength, compressed, pieces.Count);
    }

    /// <summary>
    /// The script that proves &lt;target&gt;.new holds the expected bytes, by its checksum on the
    /// device, then puts it in place: chmod, hard-link the old binary to .bak, record both in
    /// crossboard's record, rename the new one over it (the target exists at every moment), and
    /// make that durable. The checksum is compared on the device, which installs nothing unless it
    /// matches (exit 5, the file removed); a failing step after it exits 4, the previous binary
    /// still in place. The record is written before the rename: a power cut between the two leaves
    /// a binary the record lists (as its backup's bytes), never one it does not.
    /// </summary>
    /// <param name="kept">What the binary there becomes as the backup (null: there is none).</param>
    /// <param name="adoptedService">The service definition to record as crossboard's (the one it writes, found unrecorded).</param>
    /// <param name="serviceFile">The service definition this deploy may rewrite: its copy kept by the last deploy goes.</param>
    private static string InstallScript(string tool, string expected, string targetPath, string manifest, InstalledFile record, InstalledFile? kept,
        InstalledFile? adoptedService, string? serviceFile)
    {
        var edits = new List<(string, string?)>();
        if (kept is not null)
        {
            edits.Add((kept.Path, kept.Fields));
        }

        edits.Add((targetPath, record.Fields));
        if (adoptedService is not null)
        {
            edits.Add((adoptedService.Path, adoptedService.Fields));
        }

        return new System.Text.StringBuilder($"t={RemoteShell.Quote(targetPath)}\n")
            .Append(InstallRecord.Locate(manifest))
            .Append(InstallRecord.Functions)
            .Append("chmod 755 \"$t.new\" || exit 4\n")
            // The new binary's data goes to disk while the checksum reads it from the page cache:
            // fsync of the file where sync takes files (busybox's FEATURE_SYNC_FANCY, coreutils),
            // else everything.
            .Append("(sync \"$t.new\" 2>/dev/null || sync) & y=$!\n")
            .Append($"s=$({tool} \"$t.new\") || {{ wait $y; rm -f \"$t.new\"; echo unreadable; exit 5; }}\n")
            .Append($"s=${{s%% *}}; [ \"$s\" = {expected} ] || {{ wait $y; rm -f \"$t.new\"; echo \"sum $s\"; exit 5; }}\n")
            .Append("wait $y\n")
            .Append(kept is not null ? "if [ -e \"$t\" ] || [ -L \"$t\" ]; then ln -f \"$t\" \"$t.bak\" 2>/dev/null || cp -p \"$t\" \"$t.bak\" || exit 4; fi\n" : "")
            .Append(serviceFile is not null ? $"rm -f {InstallRecord.PreviousCopy(serviceFile)}\n" : "")
            .Append(InstallRecord.Set(edits.ToArray()))
            .Append("mv -f \"$t.new\" \"$t\" || exit 4\n")
            // The rename and the record on disk: fsync of the directories (see above).
            .Append("sync \"${t%/*}/\" \"$mf\" \"${mf%/*}/\" 2>/dev/null || sync\n")
            .ToString();
    }

    /// <summary>Runs <paramref name="install"/> unless the upload's own command did (<paramref name="answered"/>), and reports its answer.</summary>
    private static void Install(DeviceConnection connection, DeviceLog deviceLog, string tool, string expected, string targetPath, string sudo, string install, RemoteResult? answered)
    {
        var temporary = targetPath + ".new";
        var result = answered ?? connection.Run(Sudo(sudo, install), $"verify and install {targetPath}");
        if (answered is not null)
        {
            deviceLog.Detail($"$ (after the upload, in its command) verify and install {targetPath}{Environment.NewLine}{install}{Environment.NewLine}exit {result.ExitStatus}{Environment.NewLine}{result.Output}");
        }

        if (result.ExitStatus == 5)
        {
            var actual = result.Output.Split('\n').FirstOrDefault(l => l.StartsWith("sum ", StringComparison.Ordinal))?[4..].Trim();
            throw Damaged(connection, deviceLog, tool, temporary, actual ?? $"unreadable ({result.Diagnostic})", expected);
        }

        if (!result.Succeeded)
        {
            throw new CrossboardException(
                $"Putting {targetPath} in place failed on device '{connection.Target.Name}' (the previous binary is still there) (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}",
                deviceLog.LogFile);
        }

        deviceLog.Verbose($"Verified {temporary} on the device ({tool} {Short(expected)}{(answered is null ? "" : ", in the upload's command")}).");
    }

    private static CrossboardException Damaged(DeviceConnection connection, DeviceLog deviceLog, string tool, string temporary, string actual, string expected) => new(
        $"The upload arrived damaged on device '{connection.Target.Name}': {tool} of {temporary} is {actual}, expected {expected}. " +
        "It was removed and the device keeps its previous binary. Deploy again; if it repeats, the device's storage may be failing.",
        deviceLog.LogFile);

    private string Smoke(DeviceTarget target, ServiceManager service, DeviceLog deviceLog, CancellationToken cancellation, string? afterFailure)
    {
        if (string.IsNullOrWhiteSpace(settings.SmokeUrl))
        {
            return "no smoke check configured";
        }

        if (settings.Service == ServiceStyle.None)
        {
            deviceLog.Information("Smoke check deferred: with service = none nothing runs the app until --target=Run starts it.");
            return "smoke check runs with --target=Run";
        }

        var url = SmokeCheck.Resolve(settings.SmokeUrl, target);
        var line = SmokeCheck.Run(url, settings.SmokeExpect, settings.SmokeTimeout, cancellation, service.RecentOutput, afterFailure);
        deviceLog.Information(line);
        return SmokeCheck.Short(line);
    }

    private static bool Cleanup(DeviceConnection connection, string temporary, string sudo)
    {
        try
        {
            if (!connection.IsConnected)
            {
                connection.Reconnect();
            }

            return connection.Run(Sudo(sudo, $"rm -f {RemoteShell.Quote(temporary)}"), $"remove {temporary}").Succeeded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Best effort on a connection that just failed: the next deploy removes the leftover
            // anyway. SSH.NET can fail here in its own ways too (a NullReferenceException from
            // SshCommand when the session dies while the channel opens), which must not hide the
            // upload's own error.
            return false;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    private static string Sudo(string sudo, string script) => sudo.Length == 0 ? script : $"{sudo}sh -c {RemoteShell.Quote(script)}";

    /// <summary>"'kitchen' (root@10.0.0.5:22)", or just the address when that is what the user typed.</summary>
    public static string Describe(DeviceTarget target)
    {
        var address = $"{target.User}@{target.Host}:{target.Port}";
        return target.Name == address ? $"'{address}'" : $"'{target.Name}' ({address})";
    }

    public static string Describe(TransferMethod method) => method switch
    {
        TransferMethod.Sftp => "SFTP",
        TransferMethod.Scp => "SCP",
        TransferMethod.Exec => "exec channel",
        TransferMethod.ExecGzip => "exec channel, gzip",
        TransferMethod.ExecDelta => "exec channel, delta",
        _ => method.ToString(),
    };

    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] + "..." : checksum;

    private static string Capitalise(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
