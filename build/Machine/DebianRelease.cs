namespace Crossboard.Machine;

/// <summary>Which Debian or Ubuntu release this is (/etc/os-release), where a package's name depends on it.</summary>
public static class DebianRelease
{
    /// <summary>
    /// Whether the release's python3 is older than 3.12, so that distutils is a package of its
    /// own (python3-distutils: Debian 12 and older, Ubuntu before 24.04). Unknown releases: no.
    /// </summary>
    public static bool PythonBelow312 => Read() is var (id, version) && (id, version) switch
    {
        ("debian", { } v) => int.TryParse(v, out var major) && major <= 12,
        ("ubuntu", { } v) => Version.TryParse(v, out var release) && release < new Version(24, 4),
        _ => false,
    };

    private static (string Id, string? Version)? Read()
    {
        const string path = "/etc/os-release";
        if (!File.Exists(path))
        {
            return null;
        }

        var fields = File.ReadLines(path)
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1].Trim('"'), StringComparer.Ordinal);
        return fields.TryGetValue("ID", out var id) ? (id, fields.GetValueOrDefault("VERSION_ID")) : null;
    }
}
