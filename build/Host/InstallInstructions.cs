namespace Crossboard.Host;

/// <summary>The exact commands that install missing prerequisites, per platform.</summary>
public static class InstallInstructions
{
    public static string For(IReadOnlyCollection<Prerequisite> missing)
    {
        var lines = new List<string>();
        var debian = missing.Where(m => m.DebianPackage is not null).SelectMany(m => m.DebianPackage!.Split(' ')).Distinct().ToList();
        var brew = missing.Where(m => m.BrewPackage is not null).Select(m => m.BrewPackage!).Distinct().ToList();
        if (debian.Count > 0)
        {
            lines.Add($"  Debian/Ubuntu: sudo apt-get install -y {string.Join(' ', debian)}");
        }

        if (brew.Count > 0)
        {
            lines.Add($"  macOS:         brew install {string.Join(' ', brew)}");
        }

        foreach (var other in missing.Where(m => m.OtherInstall is not null))
        {
            lines.Add($"  {other.Name}: {other.OtherInstall}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
