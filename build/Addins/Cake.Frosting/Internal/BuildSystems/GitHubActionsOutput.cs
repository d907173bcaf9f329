using Cake.Common.Build.GitHubActions;
using Cake.Common.Build.GitHubActions.Data;
using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>
/// GitHub Actions, all through Cake.Common's commands: <c>::group::</c>/<c>::endgroup::</c> around
/// each task, <c>::error file=,line=,col=::</c> annotations, and the step summary file
/// (<c>$GITHUB_STEP_SUMMARY</c>) appended to.
/// </summary>
internal sealed class GitHubActionsOutput(GitHubActionsProvider gitHub, ICakeEnvironment environment) : BuildSystemOutput
{
    public override void BeginTask(string name) => gitHub.Commands.StartGroup(name);

    public override void EndTask(string name) => gitHub.Commands.EndGroup();

    public override void Failed(IReadOnlyList<BuildIssue> issues)
    {
        foreach (var issue in issues)
        {
            gitHub.Commands.Error(issue.Message, issue.File is null ? null : new GitHubActionsAnnotation
            {
                File = InCheckout(issue.File, environment.GetEnvironmentVariable("GITHUB_WORKSPACE")),
                StartLine = issue.Line,
                StartColumn = issue.Column,
            });
        }
    }

    public override void Summary(string markdown)
    {
        // Outside a workflow step (a container without the variable) there is no summary to add to.
        if (gitHub.Environment.Runtime.StepSummary is not null)
        {
            gitHub.Commands.SetStepSummary(markdown);
        }
    }
}
