using System.Text.Json;

namespace Crossboard.Emulator;

/// <summary>
/// A built device image: what qemu boots and what a client needs to trust it.
/// Saved as image.json in the image folder.
/// </summary>
/// <param name="Board">The emulated board.</param>
/// <param name="Kernel">vmlinuz path.</param>
/// <param name="Initramfs">initramfs.cpio.gz path.</param>
/// <param name="KernelRelease">uname -r on the device, e.g. 6.1.0-50-4kc-malta.</param>
/// <param name="HostKeyFingerprint">SHA256:... of the device's host key (the deploy stage pins it).</param>
/// <param name="DeployKey">The private key authorized for root.</param>
/// <param name="Packages">name=version of every Debian package the image is made of.</param>
/// <param name="Sftp">Whether sftp-server and scp are in it.</param>
/// <param name="Stamp">The hash of every input; the image is rebuilt when it changes.</param>
public sealed record DeviceImage(
    string Board,
    string Kernel,
    string Initramfs,
    string KernelRelease,
    string HostKeyFingerprint,
    string DeployKey,
    IReadOnlyList<string> Packages,
    bool Sftp,
    string Stamp)
{
    public const string ManifestName = "image.json";

    /// <summary>The line the device prints on its console once dropbear listens.</summary>
    public const string ReadyMarker = "crossboard: device ready, dropbear listening on port 22";

    public void Save(string imageDir) =>
        File.WriteAllText(Path.Combine(imageDir, ManifestName), JsonSerializer.Serialize(this, EmulatorJson.Writing.DeviceImage));

    /// <summary>The image in <paramref name="imageDir"/>, or null when there is none (or only part of one).</summary>
    public static DeviceImage? Load(string imageDir)
    {
        var manifest = Path.Combine(imageDir, ManifestName);
        if (!File.Exists(manifest))
        {
            return null;
        }

        try
        {
            var image = JsonSerializer.Deserialize(File.ReadAllText(manifest), EmulatorJson.Reading.DeviceImage);
            return image is not null && File.Exists(image.Kernel) && File.Exists(image.Initramfs) ? image : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
