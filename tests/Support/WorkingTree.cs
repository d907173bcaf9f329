using Crossboard.Machine;

namespace Crossboard.Tests.Support;

/// <summary>Copies of this working tree, for tests that run the project as a user gets it.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public static class WorkingTree
{
    /// <summary>
    /// The working tree's files as git sees them (tracked, and new ones it does not ignore), with
    /// their modes (build.sh stays executable), without build outputs; uncommitted changes included.
    /// </summary>
    public static string CopyTo(string repo)
    {
        var files = ProcessRunner.RunChecked(new ProcessSpec("git", "-C", RepoPaths.Root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"),
            "git ls-files failed").StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in files)
        {
            var from = Path.Combine(RepoPaths.Root, file);
            if (!File.Exists(from))
            {
                continue; // deleted in the working tree
            }

            var to = Path.Combine(repo, file);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(from, to);
            File.SetUnixFileMode(to, File.GetUnixFileMode(from));
        }

        return repo;
    }

    /// <summary>The copy, committed as a fresh git repository of one commit: something to `git clone`.</summary>
    public static string CommitTo(string repo)
    {
        CopyTo(repo);
        ProcessRunner.RunChecked(new ProcessSpec("git", "-C", repo, "init", "-q"), "git init in the copy failed");
        ProcessRunner.RunChecked(new ProcessSpec("git", "-C", repo, "add", "-A"), "git add in the copy failed");
        ProcessRunner.RunChecked(new ProcessSpec("git", "-C", repo, "-c", "user.name=crossboard-tests", "-c", "user.email=tests@crossboard.invalid",
            "commit", "-q", "-m", "the working tree"), "git commit in the copy failed");
        return repo;
    }
}
