namespace Crossboard.Machine;

/// <summary>Where crossboard's own files are: the repository (recipes, samples) and the work dir (SDKs, caches).</summary>
public static class CrossboardPaths
{
    /// <summary>
    /// The repository root: CROSSBOARD_ROOT if set, else the first folder above the running
    /// program that holds recipes/ and build/Build.csproj (the program runs from build/bin/...).
    /// </summary>
    public static string RepoRoot()
    {
        if (Environment.GetEnvironmentVariable("CROSSBOARD_ROOT") is { Length: > 0 } root)
        {
            return Path.GetFullPath(root);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "recipes")) && File.Exists(Path.Combine(dir.FullName, "build", "Build.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new CrossboardException(
            $"Cannot find crossboard's repository above {AppContext.BaseDirectory} (a folder with recipes/ and build/Build.csproj). Set CROSSBOARD_ROOT to it.");
    }

    /// <summary>
    /// The default work dir, outside the repository so that clones and toolchains survive a
    /// `git clean`: $XDG_CACHE_HOME/crossboard or ~/.cache/crossboard; ~/Library/Caches/crossboard
    /// on macOS; %LOCALAPPDATA%\crossboard on Windows.
    /// </summary>
    public static string DefaultWorkDir()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "crossboard");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS())
        {
            return Path.Combine(home, "Library", "Caches", "crossboard");
        }

        var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(home, ".cache");
        return Path.Combine(cache, "crossboard");
    }
}
