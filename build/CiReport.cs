using Cake.Frosting;
using Crossboard.Deploy;
using Crossboard.Recipes;

namespace Crossboard;

/// <summary>
/// What crossboard adds to the host's CI output (build/Addins/Cake.Frosting/Internal/BuildSystems),
/// the two things only the build knows: where each recipe problem is, and what the deploy did.
/// </summary>
public static class CiReport
{
    /// <summary>
    /// A recipe error, a fleet file's, a compile error in the app or a failed test's panic: one CI
    /// error record per problem, each at its file, line and column, then one for the failure as a
    /// whole (with a log, its first line and the log's path: the output's tail is in the log).
    /// Anything else: null, one record with its message.
    /// </summary>
    public static IEnumerable<BuildIssue>? Issues(Exception failure) => failure switch
    {
        RecipeException recipes => recipes.Diagnostics.Select(d => new BuildIssue(d.Message, d.File, d.Line, d.Column)),
        CrossboardException { Problems.Count: > 0 } located => located.Problems
            .Select(p => new BuildIssue(p.Message, p.File, p.Line, p.Column))
            .Append(new BuildIssue(located.LogPath is { } log
                ? located.Message.Split('\n')[0].TrimEnd() + Environment.NewLine + "Full log: " + log
                : located.Message)),
        _ => null,
    };

    /// <summary>The deploy's (or rollback's) device table, after Cake's task report.</summary>
    public static string? Summary(BuildContext context) => context.Stages.DeployResults is { Count: > 0 } results
        ? "### Devices" + Environment.NewLine + Environment.NewLine + FleetRunner.ResultTable(results).ToMarkdown()
        : null;
}
