namespace Crossboard.Machine;

/// <summary>The exact commands that install missing prerequisites, per platform.</summary>
public static class InstallInstructions
{
    public static string For(IReadOnlyCollection<Prerequisite> missing)
    {
        var lines = new List<string>();
        var debian = missing.SelectMany(m => m.DebianPackages).Distinct().ToList();
        var archs = missing.Select(m => m.Architecture).OfType<string>().Distinct().ToList();
        foreach (var arch in archs)
        {
            lines.Add($"  Debian/Ubuntu: sudo dpkg --add-architecture {arch} && sudo apt-get update");
        }

        var brew = missing.Where(m => m.BrewPackage is not null).Select(m => m.BrewPackage!).Distinct().ToList();
        if (debian.Count > 0)
        {
            lines.Add($"  Debian/Ubuntu: sudo apt-get install -y {string.Join(' ', debian)}");
        }

        if (brew.Count > 0)
        {
            lines.Add($"  macOS:         brew install {string.Join(' ', brew)}");
        }

        foreach (var other in missing.Where(m => m.OtherInstall is not null && m.DebianPackages.Count == 0 && m.Architecture is null))
        {
            lines.Add($"  {other.Name}: {other.OtherInstall}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
