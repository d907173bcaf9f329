using System.Security.Cryptography;

namespace Crossboard.Artifacts;

/// <summary>The cargo stage's result: the binary to deploy, checked against the board.</summary>
/// <param name="Path">The ELF file on the host.</param>
/// <param name="Name">The binary's name (the cargo bin target), which it keeps on the device.</param>
/// <param name="RustTarget">The triple it was built for.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex; the deploy stage compares it with the device's copy.</param>
/// <param name="Summary">One line: size, arch, linkage (printed by the artifact check).</param>
/// <param name="Md5">Lower-case hex; what the device's md5sum must say of an upload (see DeviceFacts.VerifyTool).</param>
public sealed record BuiltArtifact(string Path, string Name, string RustTarget, long Size, string Sha256, string Summary, string Md5)
{
    /// <summary>The board whose fit check (<see cref="ArtifactCheck"/>) this binary passed; null until checked. Deploy checks any other.</summary>
    public string? CheckedFor { get; init; }

    /// <summary>Describes the file as it is now on disk: its size and checksums are measured (in one read), not assumed.</summary>
    public static BuiltArtifact Of(string path, string name, string rustTarget, string summary)
    {
        var (size, sha256, md5) = Measure(path);
        return new BuiltArtifact(path, name, rustTarget, size, sha256, summary, md5);
    }

    /// <summary>A file's size, sha256 and md5 (lower-case hex), from one read.</summary>
    public static (long Size, string Sha256, string Md5) Measure(string path)
    {
        using var stream = File.OpenRead(path);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        var buffer = new byte[1 << 20];
        long size = 0;
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            sha256.AppendData(buffer, 0, read);
            md5.AppendData(buffer, 0, read);
            size += read;
        }

        return (size, Convert.ToHexStringLower(sha256.GetHashAndReset()), Convert.ToHexStringLower(md5.GetHashAndReset()));
    }
}
