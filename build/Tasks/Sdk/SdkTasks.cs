using Cake.Core.Diagnostics;
using Crossboard.Recipes;
using Crossboard.Toolchains;

namespace Crossboard.Tasks;

/// <summary>What the SDK stage's tasks share: only openwrt-source toolchains have an SDK tree to prepare.</summary>
internal static class SdkTasks
{
    public static bool BuildsFromSource(BuildContext context, string task)
    {
        if (!BuildChain.Needed(context, task))
        {
            return false;
        }

        if (ToolchainKinds.Of(context.Toolchain).BuildsSdkTree)
        {
            return true;
        }

        context.Log.Information("{0}: not needed; toolchain {1} is {2}, only {3} toolchains build an SDK tree.",
            task, context.Toolchain.Name, context.Toolchain.Kind, string.Join(" and ", ToolchainKinds.All.Where(k => k.BuildsSdkTree).Select(k => k.Name)));
        return false;
    }

    public static Sdk.SdkLayout Layout(BuildContext context) => new(context.Switches.WorkDir, context.Toolchain.Name);

    /// <summary>The run's locked tree, opened on first use (e.g. with --exclusive, when CloneSdk did not run).</summary>
    public static Sdk.SdkWorkspace Workspace(BuildContext context) =>
        context.Stages.SdkWorkspace ??= Sdk.SdkWorkspace.Open(Layout(context), context.BuildLog);
}
