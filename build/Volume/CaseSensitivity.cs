namespace Crossboard.Volume;

/// <summary>
/// Whether a folder's filesystem tells "a" from "A", found the way OpenWrt's own prerequisite
/// check does (touch test.fs; is test.FS there?): the answer depends on the mounted filesystem
/// and its options (exFAT, APFS, NTFS folders with per-directory flags), not on the OS.
/// </summary>
public static class CaseSensitivity
{
    public static bool IsCaseSensitive(string dir)
    {
        Directory.CreateDirectory(dir);
        var name = $".crossboard-case-probe-{Guid.NewGuid():N}";
        var lower = Path.Combine(dir, name + ".fs");
        var upper = Path.Combine(dir, name.ToUpperInvariant() + ".FS");
        File.WriteAllText(lower, "");
        try
        {
            return !File.Exists(upper);
        }
        finally
        {
            File.Delete(lower);
        }
    }
}
