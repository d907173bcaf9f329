using Cake.Core.Diagnostics;

namespace Crossboard.Tasks;

/// <summary>What the SDK and cargo stages' tasks share: with --artifact the binary exists already.</summary>
internal static class BuildChain
{
    /// <summary>False (and says why, once per task) when --artifact makes building pointless.</summary>
    public static bool Needed(BuildContext context, string task)
    {
        if (context.Switches.Artifact is null)
        {
            return true;
        }

        context.Log.Information("{0}: not needed; --artifact={1} is deployed as it is.", task, context.Switches.Artifact);
        return false;
    }
}
