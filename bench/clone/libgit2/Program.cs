// Clones <url> into <dir> with LibGit2Sharp 0.32: full, and shallow (depth 1) of <tag>.
// Prints "<variant> <seconds> <.git bytes> <commits>" or "<variant> failed: <message>".
using System.Diagnostics;
using LibGit2Sharp;

var (url, dir, tag) = (args[0], args[1], args[2]);

Measure("libgit2-full", () => Repository.Clone(url, dir + "-full", new CloneOptions()), dir + "-full");
Measure("libgit2-depth1", () =>
{
    var options = new CloneOptions { BranchName = tag };
    options.FetchOptions.Depth = 1;
    return Repository.Clone(url, dir + "-depth1", options);
}, dir + "-depth1");

static void Measure(string variant, Func<string> clone, string target)
{
    var watch = Stopwatch.StartNew();
    try
    {
        clone();
        var bytes = new DirectoryInfo(Path.Combine(target, ".git")).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        using var repo = new Repository(target);
        Console.WriteLine($"{variant} {watch.Elapsed.TotalSeconds:0.00} {bytes} {repo.Commits.Count()}");
    }
    catch (Exception ex)
    {
        Console.WriteLine($"{variant} failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
    }
}
