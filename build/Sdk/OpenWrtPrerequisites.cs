using System.Text.RegularExpressions;
using Crossboard.Machine;

namespace Crossboard.Sdk;

/// <summary>
/// What OpenWrt 24.10's own host check (include/prereq-build.mk, run by `make defconfig` and
/// every later make) asks of the build machine, as crossboard's prerequisites: each check by the
/// name OpenWrt prints ("Checking 'awk'... failed."), the Debian package that satisfies it, and a
/// look that needs no process (a command on PATH, a header file). The host plan installs the
/// missing ones before SeedConfig, so OpenWrt's check never meets something crossboard could
/// have installed; when it still fails (an old gcc, a umask), <see cref="ThrowIfCheckFailed"/>
/// turns its output into a message naming what it wants.
/// </summary>
public static class OpenWrtPrerequisites
{
    /// <summary>The line OpenWrt's include/toplevel.mk prints when its prerequisite check fails.</summary>
    public const string CheckFailed = "Prerequisite check failed.";

    /// <summary>
    /// The prerequisites of include/prereq-build.mk in OpenWrt 24.10, for the tasks that run
    /// make in the tree. The checks of Debian's essential tools (true, false, cp, seq, realpath,
    /// stat, install, find, xargs, grep, egrep, tar, bash, gzip, getopt, which, diff) are one row:
    /// they are on every Debian system, and listed so that a missing one is named all the same.
    /// </summary>
    public static IReadOnlyList<Prerequisite> For(string task) =>
    [
        Command(task, "make", "GNU make 4.1 or later ('working-make')", "make", "make"),
        Command(task, "gcc", "the GNU C compiler, 8 or later ('gcc', 'working-gcc')", "gcc", null),
        Command(task, "g++", "the GNU C++ compiler, 8 or later ('g++', 'working-g++')", "g++", null),
        Header(task, "ncurses.h", "ncurses for the tree's menuconfig ('ncurses.h')", "libncurses-dev", "ncurses", "ncurses.h", "ncursesw/ncurses.h"),
        Command(task, "git", "Git with submodule --recursive ('git')", "git", "git"),
        Command(task, "rsync", "rsync ('rsync')", "rsync", "rsync"),
        new Prerequisite("perl", "Perl 5 with Data::Dumper, FindBin, File::Copy, File::Compare, Thread::Queue, IPC::Cmd ('perl', 'perl-*')", task,
            () => HostPrerequisites.OnPath("perl") && PerlModules.All(m => Glob("/usr/share/perl", m) || Glob("/usr/lib/x86_64-linux-gnu/perl-base", m) || Glob("/usr/share/perl5", m)),
            ["perl"], "perl"),
        Command(task, "patch", "GNU patch ('patch')", "patch", "gpatch"),
        Command(task, "gawk", "GNU awk ('awk')", "gawk", "gawk"),
        Command(task, "unzip", "unzip ('unzip')", "unzip", "unzip"),
        Command(task, "bzip2", "bzip2 ('bzip2')", "bzip2", "bzip2"),
        Command(task, "wget", "GNU wget, which fetches the sources ('wget')", "wget", "wget"),
        Command(task, "python3", "Python 3.7 or later ('python', 'python3', 'python3-stdlib')", "python3", "python3"),
        new Prerequisite("python3-distutils", "Python 3's distutils, below Python 3.12 ('python3-distutils')", task,
            HasDistutilsOrNeedsNone, NeedsDistutilsPackage ? ["python3-distutils"] : [], null),
        Command(task, "file", "the file command ('file')", "file", "file"),
        Header(task, "argp.h, fts.h, obstack.h, libintl.h", "the C library's headers ('argp.h', 'fts.h', 'obstack.h', 'libintl.h')", "libc6-dev", null,
            "argp.h", "fts.h", "obstack.h", "libintl.h"),
        new Prerequisite("GNU base tools", "true, false, cp, seq, realpath, stat, install, find, xargs, grep, egrep, tar, bash, gzip, getopt, which, diff", task,
            () => BaseTools.All(HostPrerequisites.OnPath),
            ["coreutils", "findutils", "grep", "tar", "bash", "gzip", "util-linux", "debianutils", "diffutils"], "coreutils findutils grep gnu-tar gnu-getopt"),
    ];

    private static readonly string[] PerlModules = ["FindBin.pm", "IPC/Cmd.pm", "Thread/Queue.pm", "File/Compare.pm"];

    private static readonly string[] BaseTools =
        ["true", "false", "cp", "seq", "realpath", "stat", "install", "find", "xargs", "grep", "egrep", "tar", "bash", "gzip", "getopt", "which", "diff"];

    /// <summary>A make in the tree that failed: when it was OpenWrt's prerequisite check, says what it wants (see below).</summary>
    public static void ThrowIfCheckFailed(ProcessSpec make, ProcessResult result)
    {
        if (result.Succeeded)
        {
            return;
        }

        var output = make.LogFile is { } log && File.Exists(log)
            ? File.ReadAllText(log)
            : result.StandardOutput + Environment.NewLine + result.StandardError;
        ThrowIfCheckFailed(output, make.WorkingDirectory ?? ".", make.LogFile);
    }

    /// <summary>
    /// Throws a message naming what OpenWrt wants when <paramref name="makeOutput"/> is its
    /// failed prerequisite check: every "Build dependency: ..." line, with the Debian package for
    /// the ones crossboard knows, and the log's path. Does nothing for any other output.
    /// </summary>
    public static void ThrowIfCheckFailed(string makeOutput, string tree, string? logFile)
    {
        if (!makeOutput.Contains(CheckFailed, StringComparison.Ordinal))
        {
            return;
        }

        var wanted = Regex.Matches(makeOutput, @"^Build dependency: (?<what>.+?)\s*$", RegexOptions.Multiline)
            .Select(m => m.Groups["what"].Value)
            .Distinct()
            .ToList();
        var failed = Regex.Matches(makeOutput, @"^Checking '(?<name>[^']+)'\.\.\. failed\.", RegexOptions.Multiline)
            .Select(m => m.Groups["name"].Value)
            .Distinct()
            .ToList();
        var packages = failed.Select(PackageFor).OfType<string>().Distinct().ToList();
        var nl = Environment.NewLine;
        var message = $"OpenWrt's own prerequisite check failed in {tree} (include/prereq-build.mk, run by make):" + nl +
            (wanted.Count > 0 ? string.Join(nl, wanted.Select(w => "  " + w)) : "  (it printed no 'Build dependency' line; see the log)") + nl +
            (failed.Count > 0 ? $"Checks that failed: {string.Join(", ", failed)}." + nl : "") +
            (packages.Count > 0
                ? $"On Debian/Ubuntu: {(Environment.UserName == "root" ? "" : "sudo ")}apt-get install -y {string.Join(' ', packages)}, then run again."
                : "Fix what it names, then run again (FORCE=1 would skip the check, and the build would fail later instead).");
        throw new CrossboardException(message, logFile);
    }

    /// <summary>The Debian package for one of OpenWrt's check names, where there is one.</summary>
    public static string? PackageFor(string check) => check switch
    {
        "working-make" => "make",
        "gcc" or "working-gcc" => "gcc",
        "g++" or "working-g++" => "g++",
        "ncurses.h" => "libncurses-dev",
        "git" => "git",
        "rsync" => "rsync",
        "patch" => "patch",
        "awk" => "gawk",
        "unzip" => "unzip",
        "bzip2" => "bzip2",
        "wget" => "wget",
        "file" => "file",
        "python" or "python3" or "python3-stdlib" => "python3",
        "python3-distutils" => "python3-distutils",
        "argp.h" or "fts.h" or "obstack.h" or "libintl.h" => "libc6-dev",
        "diff" => "diffutils",
        "getopt" => "util-linux",
        "which" => "debianutils",
        _ when check.StartsWith("perl", StringComparison.Ordinal) => "perl",
        _ => null,
    };

    private static Prerequisite Command(string task, string command, string purpose, string debian, string? brew) =>
        new(command, purpose, task, () => HostPrerequisites.OnPath(command), [debian], brew);

    private static Prerequisite Header(string task, string name, string purpose, string debian, string? brew, params string[] headers) =>
        new(name, purpose, task, () => headers.All(h => File.Exists(Path.Combine("/usr/include", h)) || File.Exists(Path.Combine("/usr/include/x86_64-linux-gnu", h))),
            [debian], brew);

    private static bool Glob(string root, string relative)
    {
        try
        {
            return Directory.Exists(root) && Directory.EnumerateDirectories(root).Append(root).Any(d => File.Exists(Path.Combine(d, relative)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// OpenWrt 24.10 imports distutils only under Python 3.7-3.11 (3.12 removed it). Satisfied
    /// when the installed python3 is 3.12 or later, or its distutils is there.
    /// </summary>
    private static bool HasDistutilsOrNeedsNone()
    {
        var versions = Directory.Exists("/usr/lib")
            ? Directory.GetDirectories("/usr/lib", "python3.*").Select(Path.GetFileName).OfType<string>()
                .Where(v => v.Length > "python3.".Length && v.StartsWith("python3.", StringComparison.Ordinal)).ToList()
            : [];
        var old = versions.Where(v => int.TryParse(v["python3.".Length..], out var minor) && minor < 12).ToList();
        var modern = versions.Any(v => int.TryParse(v["python3.".Length..], out var minor) && minor >= 12);
        if (old.Count == 0)
        {
            // No python3 yet: the package comes with the release's python3 (Debian 12's is 3.11).
            return modern || !NeedsDistutilsPackage;
        }

        return old.Any(v => File.Exists($"/usr/lib/{v}/distutils/__init__.py"));
    }

    /// <summary>Releases whose python3 is older than 3.12 ship distutils as its own package (Debian 12, Ubuntu 22.04).</summary>
    private static bool NeedsDistutilsPackage => DebianRelease.PythonBelow312;
}
