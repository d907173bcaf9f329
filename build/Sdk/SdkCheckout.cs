namespace Crossboard.Sdk;

/// <summary>Where the SDK source comes from: the toolchain definition's git URL (or --sdk-source) and pinned ref.</summary>
public sealed record SdkSource(string Url, string Ref);

/// <summary>The tree CloneSdk left: checked out at <paramref name="Commit"/>; <paramref name="Changed"/> when this run cloned or moved it.</summary>
public sealed record SdkCheckout(string TreeDir, string Ref, string Commit, bool Changed)
{
    public string ShortCommit => Commit[..Math.Min(12, Commit.Length)];
}
