using Cake.Common.Build.AzurePipelines;
using Cake.Common.Build.AzurePipelines.Data;
using Cake.Core;
using Cake.Core.IO;
using Path = System.IO.Path;

namespace Cake.Frosting.Internal;

/// <summary>
/// Azure Pipelines through Cake.Common's commands: <c>##[group]</c>/<c>##[endgroup]</c> around each
/// task, <c>##vso[task.logissue]</c> with source path, line and column, and the summary as a
/// Markdown file attached with <c>##vso[task.uploadsummary]</c>.
/// </summary>
internal sealed class AzurePipelinesOutput(AzurePipelinesProvider azure, ICakeEnvironment environment) : BuildSystemOutput
{
    public override void BeginTask(string name) => azure.Commands.BeginGroup(name);

    public override void EndTask(string name) => azure.Commands.EndGroup();

    public override void Failed(IReadOnlyList<BuildIssue> issues)
    {
        foreach (var issue in issues)
        {
            // Cake 7 writes the values as given; a logging command ends at the line's end and its
            // properties at ';' and ']', so they are escaped as Azure's task library does.
            var message = Escape(issue.Message);
            if (issue.File is null)
            {
                azure.Commands.WriteError(message);
            }
            else
            {
                azure.Commands.WriteError(message, new AzurePipelinesMessageData
                {
                    SourcePath = EscapeProperty(InCheckout(issue.File, environment.GetEnvironmentVariable("BUILD_SOURCESDIRECTORY"))),
                    LineNumber = issue.Line,
                    ColumnNumber = issue.Column,
                });
            }
        }
    }

    public override void Summary(string markdown)
    {
        // The agent reads the file when the step ends: it goes where the agent cleans up after the job.
        var folder = environment.GetEnvironmentVariable("AGENT_TEMPDIRECTORY") is { Length: > 0 } temp ? temp : Path.GetTempPath();
        var file = Path.Combine(folder, $"crossboard-summary-{Guid.NewGuid():N}.md");
        File.WriteAllText(file, markdown);
        azure.Commands.UploadTaskSummary(new FilePath(file));
    }

    private static string Escape(string value) =>
        value.Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

    private static string EscapeProperty(string value) =>
        Escape(value).Replace("]", "%5D").Replace(";", "%3B");
}
