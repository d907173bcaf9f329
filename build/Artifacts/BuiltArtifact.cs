using System.Security.Cryptography;

namespace Crossboard.Artifacts;

/// <summary>The cargo stage's result: the binary to deploy, checked against the board.</summary>
/// <param name="Path">The ELF file on the host.</param>
/// <param name="Name">The binary's name (the cargo bin target), which it keeps on the device.</param>
/// <param name="RustTarget">The triple it was built for.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Sha256">Lower-case hex; the deploy stage compares it with the device's copy.</param>
/// <param name="Summary">One line: size, arch, linkage (printed by the artifact check).</param>
public sealed record BuiltArtifact(string Path, string Name, string RustTarget, long Size, string Sha256, string Summary)
{
    /// <summary>Describes the file as it is now on disk: its size and sha256 are measured, not assumed.</summary>
    public static BuiltArtifact Of(string path, string name, string rustTarget, string summary)
    {
        using var stream = File.OpenRead(path);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        return new BuiltArtifact(path, name, rustTarget, stream.Length, sha256, summary);
    }
}
