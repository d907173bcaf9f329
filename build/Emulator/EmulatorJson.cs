using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crossboard.Emulator;

/// <summary>
/// The emulator's JSON files (instance.json, image.json, the package resolution cache) through
/// System.Text.Json's source generator rather than reflection: the first reflection-based
/// deserialization in a process costs 45-65 ms here, and a no-op Deploy reads instance.json on
/// the early SSH connection's path, before it can connect. The files are the same as before:
/// property names as declared, indented with unescaped non-ASCII when written.
/// </summary>
[JsonSerializable(typeof(EmulatorInstance))]
[JsonSerializable(typeof(DeviceImage))]
[JsonSerializable(typeof(ImagePackages.CachedResolution))]
internal sealed partial class EmulatorJson : JsonSerializerContext
{
    /// <summary>For reading (the default options, as the reflection-based reads used).</summary>
    public static EmulatorJson Reading => Default;

    /// <summary>For writing: indented, non-ASCII left as it is.</summary>
    public static readonly EmulatorJson Writing = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
