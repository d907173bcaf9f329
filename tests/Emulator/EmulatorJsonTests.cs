using System.Text.Json;
using Crossboard.Emulator;
using Crossboard.Tests.Support;

namespace Crossboard.Tests.Emulator;

/// <summary>
/// instance.json and image.json, now written and read through the source-generated context: the
/// same text the reflection-based serializer wrote (older work dirs and bench/ read them), and
/// files it wrote read back equal.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class EmulatorJsonTests : IDisposable
{
    private static readonly JsonSerializerOptions Before = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TempDir _dir = new("emulator-json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void An_instance_record_is_written_as_before_and_read_back()
    {
        var instance = new EmulatorInstance("malta-le", 4242, "/usr/bin/qemu-system-mipsel", 40022, 40080, "SHA256:abc+/é",
            "/w/keys/id_ed25519", "stamp", "/w/console.log", new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.FromHours(1)));
        var path = _dir.Combine("instance.json");

        instance.Save(path);

        Assert.Equal(JsonSerializer.Serialize(instance, Before), File.ReadAllText(path));
        Assert.Equal(instance, EmulatorInstance.Load(path));
        File.WriteAllText(path, JsonSerializer.Serialize(instance, Before) + "\n");
        Assert.Equal(instance, EmulatorInstance.Load(path));
        File.WriteAllText(path, "{ not json");
        Assert.Null(EmulatorInstance.Load(path));
    }

    [Fact]
    public void An_image_manifest_is_written_as_before_and_read_back()
    {
        var kernel = _dir.Write("vmlinuz", "k");
        var initramfs = _dir.Write("initramfs.cpio.gz", "i");
        var image = new DeviceImage("malta-le", kernel, initramfs, "6.1.0-50-4kc-malta", "SHA256:x", "/w/key",
            ["linux-image-6.1.0-50-4kc-malta=6.1.158-1", "busybox-static=1:1.35.0-4+b3"], false, "stamp");

        image.Save(_dir.Path);

        Assert.Equal(JsonSerializer.Serialize(image, Before), File.ReadAllText(_dir.Combine(DeviceImage.ManifestName)));
        var read = DeviceImage.Load(_dir.Path);
        Assert.NotNull(read);
        Assert.Equal(image.Packages, read.Packages);
        Assert.Equal(image with { Packages = read.Packages }, read);
    }
}
