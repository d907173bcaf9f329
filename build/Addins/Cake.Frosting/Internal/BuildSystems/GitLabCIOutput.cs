using System.Text.RegularExpressions;
using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>
/// GitLab CI's collapsible sections, written by hand: Cake 7's GitLab provider detects GitLab and
/// reads its variables, but its commands only set variables for later jobs; it has nothing for
/// sections. The lines are GitLab's documented markers
/// (https://docs.gitlab.com/ci/jobs/job_logs/#custom-collapsible-sections):
/// <c>ESC[0Ksection_start:UNIX_TIME:NAME\rESC[0KHEADER</c> and <c>ESC[0Ksection_end:UNIX_TIME:NAME\rESC[0K</c>.
/// GitLab has no error annotations in a job log and no summary page, so a failure is the log's own
/// error line and there is no summary.
/// </summary>
internal sealed partial class GitLabCIOutput(IConsole console) : BuildSystemOutput
{
    private const string EraseLine = "\u001b[0K";

    public override void BeginTask(string name) =>
        console.WriteLine("{0}", $"{EraseLine}section_start:{Now()}:{SectionName(name)}\r{EraseLine}{name}");

    public override void EndTask(string name) =>
        console.WriteLine("{0}", $"{EraseLine}section_end:{Now()}:{SectionName(name)}\r{EraseLine}");

    public override void Failed(IReadOnlyList<BuildIssue> issues)
    {
    }

    public override void Summary(string markdown)
    {
    }

    /// <summary>A section's name: letters, digits, '_', '.', '-' only (GitLab ignores the marker otherwise).</summary>
    internal static string SectionName(string task) => "task_" + NotAllowed().Replace(task, "_");

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    [GeneratedRegex("[^a-zA-Z0-9_.-]")]
    private static partial Regex NotAllowed();
}
