using System.Security.Cryptography;
using Crossboard.Artifacts;

namespace Crossboard.Deploy;

/// <summary>
/// Copies of the binaries the host sent (state/sent in the work dir), named by their md5 and
/// sha256, so that the next deploy to a device that still has one can send only what changed
/// (<see cref="DeltaUpload"/>). A copy is a hard link to the build output where the filesystem
/// allows (cargo writes each build to a new file), else a copy; its checksum is checked again
/// before it is used. The newest <see cref="Kept"/> stay.
/// </summary>
public sealed class SentCache(string dir)
{
    public const int Kept = 8;

    /// <summary>
    /// Binaries above this are not kept (nor diffed): a board's app is a few MB, and reading,
    /// checking and searching two builds of this size costs ~0.1 s, which a fast link does not win back.
    /// </summary>
    public const long MaximumSize = 32L << 20;

    public string Dir { get; } = dir;

    /// <summary>Keeps <paramref name="artifact"/> as sent (best effort: a full disk only loses the next delta).</summary>
    public void Remember(BuiltArtifact artifact)
    {
        if (artifact.Size > MaximumSize)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Dir);
            var md5 = PathFor("md5sum", artifact.Md5);
            var sha = PathFor("sha256sum", artifact.Sha256.ToLowerInvariant());
            if (File.Exists(md5) && File.Exists(sha))
            {
                return;
            }

            var temporary = Path.Combine(Dir, $".new-{Environment.ProcessId}-{Guid.NewGuid():N}");
            if (link(artifact.Path, temporary) != 0)
            {
                // Another filesystem (or none that links): a copy.
                File.Copy(artifact.Path, temporary, overwrite: true);
            }

            Replace(temporary, md5);
            Replace(temporary, sha);
            File.Delete(temporary);
            Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>The bytes of the binary whose <paramref name="tool"/> checksum is <paramref name="checksum"/>, if kept and still intact.</summary>
    public byte[]? Find(string tool, string? checksum)
    {
        if (checksum is null || checksum.Length < 16 || !checksum.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        var path = PathFor(tool, checksum.ToLowerInvariant());
        try
        {
            if (!File.Exists(path) || new FileInfo(path).Length > MaximumSize)
            {
                return null;
            }

            var bytes = File.ReadAllBytes(path);
            var actual = tool == "sha256sum" ? Convert.ToHexStringLower(SHA256.HashData(bytes)) : Convert.ToHexStringLower(MD5.HashData(bytes));
            return actual == checksum.ToLowerInvariant() ? bytes : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string PathFor(string tool, string checksum) => Path.Combine(Dir, (tool == "sha256sum" ? "sha256-" : "md5-") + checksum);

    private static void Replace(string from, string to)
    {
        if (File.Exists(to))
        {
            File.Delete(to);
        }

        if (link(from, to) != 0)
        {
            File.Copy(from, to);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int link(string existing, string created);

    private void Trim()
    {
        var entries = new DirectoryInfo(Dir).GetFiles("md5-*").OrderByDescending(f => f.LastWriteTimeUtc).Skip(Kept).ToList();
        foreach (var old in entries)
        {
            // Its sha256 name is the same inode: found by link count would need stat; by content is cheap enough here.
            var sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(old.FullName)));
            File.Delete(Path.Combine(Dir, "sha256-" + sha));
            old.Delete();
        }
    }
}
