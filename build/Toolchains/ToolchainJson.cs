using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crossboard.Toolchains;

/// <summary>What the OpenWrt SDK tree built, recorded after a toolchain build succeeded (the next run reuses it when the key matches).</summary>
internal sealed record ToolchainStamp(string Key, string ToolchainDir, string Triple, string StagingDir, DateTime BuiltUtc);

/// <summary>A C library compiled into staging_dir by <c>make package/NAME/compile</c>, recorded after it succeeded.</summary>
internal sealed record LibraryStamp(string Key, DateTime BuiltUtc);

/// <summary>
/// The toolchain stage's stamps through System.Text.Json's source generator: the natively
/// compiled build host (build/HostPublish.props, kind native) has no reflection-based
/// serializer to fall back on. The files are as before: property names as declared, indented.
/// </summary>
[JsonSerializable(typeof(ToolchainStamp))]
[JsonSerializable(typeof(LibraryStamp))]
[JsonSerializable(typeof(OpenWrtToolchainLocation))]
internal sealed partial class ToolchainJson : JsonSerializerContext
{
    /// <summary>For reading, and for the one stamp written on one line (the prebuilt SDK's location).</summary>
    public static ToolchainJson Reading => Default;

    /// <summary>For writing the build stamps: indented.</summary>
    public static readonly ToolchainJson Writing = new(new JsonSerializerOptions { WriteIndented = true });
}
