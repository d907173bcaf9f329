namespace Crossboard;

/// <summary>
/// What each stage hands the next, in the pipeline's order: data flows one way (switches and
/// recipes, host plan, SDK tree, toolchain, artifact, device image, deploy target, results), and a
/// later stage reads an earlier one's record, never its internals.
/// </summary>
public sealed class StageResults
{
    /// <summary>What this run installs on the host before its first task (Setup).</summary>
    public Machine.HostPlan? HostPlan { get; set; }

    /// <summary>The locked OpenWrt tree of this run (CloneSdk opens it, BuildToolchain closes it).</summary>
    public Sdk.SdkWorkspace? SdkWorkspace { get; set; }

    /// <summary>The tree CloneSdk checked out (its commit keys SeedConfig and the toolchain stamp).</summary>
    public Sdk.SdkCheckout? SdkCheckout { get; set; }

    /// <summary>The builder image's tag, once BuilderImage made sure it exists (--docker).</summary>
    public string? BuilderImageTag { get; set; }

    /// <summary>The C cross toolchain, resolved by BuildToolchain (whatever its kind); the cargo stage's input.</summary>
    public Toolchains.ResolvedToolchain? ResolvedToolchain { get; set; }

    /// <summary>The built and checked binary (CargoBuild, or --artifact checked in Setup); the deploy stage's input.</summary>
    public Artifacts.BuiltArtifact? Artifact { get; set; }

    /// <summary>The emulated device's image (EmulatorImage): kernel, initramfs, host-key fingerprint.</summary>
    public Emulator.DeviceImage? DeviceImage { get; set; }

    /// <summary>The device(s) Deploy talks to (resolved from --device, an ssh alias, or the emulator).</summary>
    public Deploy.DeviceTarget? DeviceTarget { get; set; }

    /// <summary>What Deploy or Rollback did, one entry per device.</summary>
    public IReadOnlyList<Deploy.DeviceResult>? DeployResults { get; set; }
}
