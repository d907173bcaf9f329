namespace Crossboard.Machine;

/// <summary>A need of the run that the host lacks, and the first task (in the run's order) that needs it.</summary>
public sealed record MissingNeed(Prerequisite Need, string Task, string? WhyNotInstallable = null)
{
    public bool Installable => WhyNotInstallable is null;
}

/// <summary>
/// Everything a run will install on this machine, worked out before its first task: the Debian
/// packages and foreign architectures the tasks of the run need and the host lacks. Shown once,
/// asked once (or not, with --yes or CI), installed in one apt transaction, so that no task
/// stops later to ask or fails on something crossboard could have installed.
/// </summary>
public sealed class HostPlan
{
    private HostPlan(IReadOnlyList<MissingNeed> missing) => Missing = missing;

    /// <summary>The run's needs the host lacks, installable or not, in the run's task order.</summary>
    public IReadOnlyList<MissingNeed> Missing { get; }

    public bool NothingToDo => Missing.Count == 0;

    /// <summary>Debian packages to install, each once, in the order the tasks need them.</summary>
    public IReadOnlyList<string> Packages => Missing.Where(m => m.Installable && m.Need.Architecture is null)
        .SelectMany(m => m.Need.DebianPackages).Distinct().ToList();

    /// <summary>Foreign Debian architectures to add (dpkg --add-architecture), each once.</summary>
    public IReadOnlyList<string> Architectures => Missing.Where(m => m.Installable && m.Need.Architecture is not null)
        .Select(m => m.Need.Architecture!).Distinct().ToList();

    /// <summary>What crossboard cannot install here, with how to get it.</summary>
    public IReadOnlyList<MissingNeed> NotInstallable => Missing.Where(m => !m.Installable).ToList();

    /// <summary>
    /// The plan for <paramref name="tasks"/> (the run's tasks in order): every need of those
    /// tasks that its look says is absent. Looks start no process, so a run with nothing to
    /// install spends no time here. For a missing need, dpkg is asked (once, for all of them)
    /// whether its packages are installed after all: then installing cannot help, and the plan
    /// says what is wrong instead (a command off PATH).
    /// </summary>
    /// <param name="dpkgMissing">Which of the given packages dpkg does not have installed; null where there is no dpkg (not Debian/Ubuntu).</param>
    public static HostPlan Make(IEnumerable<Prerequisite> needs, IReadOnlyList<string> tasks, Func<IReadOnlyCollection<string>, IReadOnlyList<string>>? dpkgMissing)
    {
        var absent = new List<(Prerequisite Need, string Task)>();
        foreach (var need in needs.Where(n => !n.Advisory))
        {
            var task = tasks.FirstOrDefault(t => need.Tasks.Contains(t));
            if (task is not null && !need.IsPresent())
            {
                absent.Add((need, task));
            }
        }

        absent = absent.OrderBy(a => IndexOf(tasks, a.Task)).ToList();
        var packages = absent.SelectMany(a => a.Need.DebianPackages).Distinct().ToList();
        var notInstalled = dpkgMissing is null || packages.Count == 0 ? [] : dpkgMissing(packages).ToHashSet();
        var missing = absent.Select(a => new MissingNeed(a.Need, a.Task, WhyNot(a.Need, dpkgMissing is not null, notInstalled))).ToList();
        return new HostPlan(missing);
    }

    private static int IndexOf(IReadOnlyList<string> tasks, string task)
    {
        for (var i = 0; i < tasks.Count; i++)
        {
            if (tasks[i] == task)
            {
                return i;
            }
        }

        return tasks.Count;
    }

    private static string? WhyNot(Prerequisite need, bool debian, IReadOnlySet<string> notInstalled)
    {
        if (!debian)
        {
            return need.BrewPackage is { } brew ? $"brew install {brew}" : need.OtherInstall ?? "install it";
        }

        if (need.Architecture is not null)
        {
            return null;
        }

        if (need.DebianPackages.Count == 0)
        {
            return need.OtherInstall ?? "crossboard cannot install it";
        }

        return need.DebianPackages.Any(notInstalled.Contains)
            ? null
            : $"its Debian package{(need.DebianPackages.Count > 1 ? "s" : "")} ({string.Join(", ", need.DebianPackages)}) {(need.DebianPackages.Count > 1 ? "are" : "is")} installed, yet it is not found: is PATH missing /usr/bin?";
    }

    /// <summary>The commands that carry out the installable part of the plan, as a user would type them.</summary>
    public IReadOnlyList<string> Commands(string sudo)
    {
        var commands = Architectures.Select(a => $"{sudo}dpkg --add-architecture {a}").ToList();
        if (commands.Count > 0 || Packages.Count > 0)
        {
            commands.Add($"{sudo}apt-get update");
        }

        if (Packages.Count > 0)
        {
            commands.Add($"{sudo}apt-get install -y --no-install-recommends {string.Join(' ', Packages)}");
        }

        return commands;
    }

    /// <summary>The plan as the user reads it: one row per need, which task needs it, and what it is for.</summary>
    public string Render()
    {
        var table = new TextTable("task", "needs", "install", "for");
        // One row per thing installed: an architecture two tasks need is added once.
        foreach (var same in Missing.GroupBy(m => (m.Need.Name, m.Installable)))
        {
            var m = same.First();
            var install = m.Need.Architecture is { } arch
                ? $"dpkg --add-architecture {arch}"
                : m.Installable ? string.Join(' ', m.Need.DebianPackages) : "(cannot: see below)";
            table.Add(string.Join(", ", same.Select(n => n.Task).Distinct()), m.Need.Name, install, string.Join("; ", same.Select(n => n.Need.Purpose).Distinct()));
        }

        return table.ToString();
    }
}
