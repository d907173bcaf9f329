using Crossboard.Machine;

namespace Crossboard.Deploy;

/// <summary>
/// Undoes a deploy whose new build did not start or did not answer the smoke check: the previous
/// binary goes back (from &lt;target&gt;.bak, where the install kept it) and runs again, and the
/// check confirms it answers; after a first install, what the deploy added (the binary, the
/// service definition, their lines in crossboard's record) is removed and the app stopped. With
/// the background style the old app was stopped before the new one started, so without this a
/// crashing build would leave the device running nothing. One command on the device, then the
/// restart and the check.
/// </summary>
/// <param name="kept">What the install kept as &lt;target&gt;.bak (null: it was a first install).</param>
/// <param name="tool">The checksum tool the deploy verified with (for the message).</param>
public sealed class Reverter(
    DeviceConnection connection, ServiceManager service, DeviceLog log, DeploySettings settings, DeviceTarget target,
    string sudo, DeviceLook look, string targetPath, InstalledFile? kept, string tool)
{
    /// <summary>Reverts and returns the error to throw: the new build's failure, then what the device is now.</summary>
    public DeployFailedException After(CrossboardException failure, CancellationToken cancellation)
    {
        var why = Plain(failure);
        log.Warning($"The new build failed on device '{target.Name}': reverting.");
        try
        {
            var done = Revert(cancellation);
            // The console gets it with the error; the device's log file gets it here.
            log.Detail(done);
            return new DeployFailedException(why + Environment.NewLine + done, "reverted", log.LogFile, failure);
        }
        catch (CrossboardException ex)
        {
            return new DeployFailedException(
                why + Environment.NewLine + $"Reverting on device '{target.Name}' failed too: {Plain(ex)}" + Environment.NewLine +
                $"Look at the device ({targetPath}, {targetPath}.bak); --target=Rollback puts a backup back.",
                "failed", log.LogFile, failure);
        }
    }

    /// <summary>What a failed first install or a failed update leaves once reverted, in one line for the log and the error.</summary>
    private string Revert(CancellationToken cancellation)
    {
        if (!connection.IsConnected)
        {
            connection.Reconnect();
        }

        // A build of this app (crossboard's, or one --force took over): it goes back and runs again.
        var previousOurs = kept is not null && kept.App != InstalledFile.DeviceOwn;
        var definition = service.DefinitionFile;
        var definitionExisted = look.ServiceFile.Exists;
        var script = new System.Text.StringBuilder($"t={RemoteShell.Quote(targetPath)}\n")
            .Append(InstallRecord.Locate(look.Manifest))
            .Append(InstallRecord.Functions);
        if (!previousOurs)
        {
            // Nothing of this app ran before: stop the new one, and take out a service definition it added.
            script.Append(service.StopScript(remove: definition is not null && !definitionExisted));
        }

        script.Append(kept is not null
            ? "{ [ -e \"$t.bak\" ] || [ -L \"$t.bak\" ]; } || { echo nobackup; exit 3; }\nmv -f \"$t.bak\" \"$t\" || exit 4\n"
            : "rm -f \"$t\" || exit 4\n");
        // The backup this deploy made is the binary again: its line goes (a first install made none).
        var edits = new List<(string, string?)> { (targetPath, previousOurs ? kept!.At(targetPath).Fields : null) };
        if (kept is not null)
        {
            edits.Add((targetPath + ".bak", null));
        }

        if (definition is not null)
        {
            if (definitionExisted)
            {
                // The definition this deploy rewrote goes back to what it was (kept beside the record).
                script.Append($"p={InstallRecord.PreviousCopy(definition)}; if [ -f \"$p\" ]; then mv -f \"$p\" {RemoteShell.Quote(definition)} || exit 4; echo restored; fi\n");
                if (settings.Service == ServiceStyle.Systemd)
                {
                    script.Append("systemctl daemon-reload\n");
                }
            }

            edits.Add((definition, definitionExisted ? look.ServiceFile.Record?.Fields : null));
        }

        script.Append(InstallRecord.Set(edits.ToArray())).Append("sync\n");
        var result = connection.Run(Sudo(script.ToString()), $"revert {targetPath}");
        if (result.ExitStatus == 3)
        {
            throw new CrossboardException($"the backup {targetPath}.bak the deploy kept is gone, so the previous build cannot be put back.");
        }

        if (!result.Succeeded)
        {
            throw new CrossboardException($"putting the previous state back failed (exit {result.ExitStatus?.ToString() ?? "signal " + result.ExitSignal}): {result.Diagnostic}");
        }

        if (kept is null)
        {
            var removed = new List<string> { targetPath };
            if (definition is not null && !definitionExisted)
            {
                removed.Add(definition);
            }

            return $"Reverted on device '{target.Name}': the failed first install is removed again ({string.Join(", ", removed)}, and their lines in {look.Manifest}); " +
                "nothing of it is left. " + KeepFailedHint;
        }

        if (!previousOurs)
        {
            return $"Reverted on device '{target.Name}': {targetPath} is the device's own file again (the one --force replaced), and the app is stopped. " + KeepFailedHint;
        }

        // The previous build runs again, and answers: checked, not assumed.
        var digest = kept.DigestFor(tool);
        var restored = $"Reverted on device '{target.Name}': {targetPath} is the previous build again{(digest is null ? "" : $" ({tool} {Short(digest)})")}";
        var running = service.Apply(restart: true);
        var answer = Confirm(cancellation);
        return $"{restored}; {running.Summary}{answer}. {KeepFailedHint}";
    }

    /// <summary>", and it answers: ..." when a smoke check is configured (any answer: the expected text was the new build's).</summary>
    private string Confirm(CancellationToken cancellation)
    {
        if (settings.SmokeUrl is not { } template || settings.Service == ServiceStyle.None)
        {
            return "";
        }

        var url = SmokeCheck.Resolve(template, target);
        var line = SmokeCheck.Run(url, null, settings.SmokeTimeout, cancellation, service.RecentOutput);
        return "; it answers: " + line.Replace("Smoke check passed: ", "", StringComparison.Ordinal).TrimEnd('.');
    }

    private const string KeepFailedHint = "(--keep-failed leaves a failed build installed, to debug it there.)";

    private string Sudo(string script) => sudo.Length == 0 ? script : $"{sudo}sh -c {RemoteShell.Quote(script)}";

    private static string Short(string checksum) => checksum.Length > 12 ? checksum[..12] + "..." : checksum;

    /// <summary>The message without the "Full log:" line (the combined error gets its own).</summary>
    private static string Plain(CrossboardException ex)
    {
        var message = ex.Message;
        var full = ex.LogPath is null ? -1 : message.LastIndexOf(Environment.NewLine + "Full log: ", StringComparison.Ordinal);
        return full >= 0 ? message[..full] : message;
    }
}
