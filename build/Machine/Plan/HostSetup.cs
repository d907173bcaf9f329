namespace Crossboard.Machine;

/// <summary>
/// Carries out a <see cref="HostPlan"/> before the first task: shows it once with apt's download
/// size, asks once (unless --yes or CI said yes already), then adds the architectures and installs
/// every package in one apt transaction with its progress shown. Declined, or nobody to ask: stops
/// before any work, with the exact commands. A dry run shows the plan and changes nothing.
/// </summary>
public sealed class HostSetup(DebianPackages packages, IBuildLog log)
{
    public const string Question = "Install these now?";

    /// <summary>Returns whether anything was installed (the user said yes, or --yes/CI).</summary>
    /// <param name="what">What the run is, for the heading: "Deploy of malta-le (toolchain debian-mipsel)".</param>
    /// <param name="logFile">Where apt's output goes.</param>
    public bool Apply(HostPlan plan, Consent consent, bool dryRun, string what, string logFile)
    {
        if (plan.NothingToDo)
        {
            return false;
        }

        var nl = Environment.NewLine;
        log.Information($"{what} needs these on this machine first:{nl}{plan.Render()}");
        var sudo = DebianPackages.SudoPrefix;
        if (plan.NotInstallable.Count > 0)
        {
            var message = "crossboard cannot install these, and the run would fail without them:" + nl +
                string.Join(nl, plan.NotInstallable.Select(m => $"  {m.Need.Name} ({m.Task}): {m.WhyNotInstallable}"));
            if (plan.Packages.Count > 0 || plan.Architectures.Count > 0)
            {
                message += nl + "The rest would be installed with:" + nl + string.Join(nl, plan.Commands(sudo).Select(c => "  " + c));
            }

            if (dryRun)
            {
                log.Warning(message);
                return false;
            }

            throw new CrossboardException(message + nl + "Nothing was installed and no task ran.");
        }

        // Reading apt's lists to size the download is worth it only when the install may follow.
        log.Information(DownloadLine(plan, mayRefreshLists: !dryRun && (consent.AssumeYes || consent.CanAsk)));
        var commands = string.Join(nl, plan.Commands(sudo).Select(c => "  " + c));
        log.Information($"The commands:{nl}{commands}");
        if (dryRun)
        {
            log.Information("Dry run: nothing was installed.");
            return false;
        }

        if (!consent.Ask(Question))
        {
            var why = consent.CanAsk ? "Not installed (you said no)" : "Not installed: there is no terminal to ask on, and neither --yes nor CI said yes";
            throw new CrossboardException($"{why}; no task ran. Install them yourself:{nl}{commands}{nl}or run again with --yes to let crossboard install them.");
        }

        if (plan.Architectures.Count > 0)
        {
            log.Information($"Adding Debian architecture{(plan.Architectures.Count > 1 ? "s" : "")} {string.Join(", ", plan.Architectures)}");
            DebianPackages.AddArchitectures(plan.Architectures);
        }

        packages.InstallAll(plan.Packages, logFile);
        var stillMissing = plan.Missing.Where(m => !m.Need.IsPresent()).ToList();
        if (stillMissing.Count > 0)
        {
            throw new CrossboardException(
                $"After installing, still not found: {string.Join(", ", stillMissing.Select(m => $"{m.Need.Name} ({string.Join(' ', m.Need.DebianPackages)})"))}. " +
                "Is PATH missing /usr/bin?", logFile);
        }

        return true;
    }

    /// <summary>
    /// How much apt will download, as apt's own --print-uris reports it. With package lists that
    /// do not know a package (a fresh container's are empty), and as root, the lists are read
    /// first: that changes nothing installed, and the size is then right.
    /// </summary>
    private string DownloadLine(HostPlan plan, bool mayRefreshLists)
    {
        if (plan.Packages.Count == 0)
        {
            return "Nothing to download with apt now (the architectures' package lists are read next).";
        }

        var size = DebianPackages.DownloadSize(plan.Packages);
        if (size is null && mayRefreshLists && DebianPackages.SudoPrefix.Length == 0)
        {
            log.Information("apt's package lists do not know some of these yet: reading them first (apt-get update), to tell the download's size");
            packages.Update();
            size = DebianPackages.DownloadSize(plan.Packages);
        }

        return size is var (bytes, debs)
            ? $"apt will download {AptProgress.Size(bytes)} ({debs} package{(debs == 1 ? "" : "s")}, with what they depend on)."
            : "apt's package lists do not know some of these yet (apt-get update reads them first): the download's size is not known.";
    }
}
