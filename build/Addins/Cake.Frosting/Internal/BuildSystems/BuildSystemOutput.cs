using Cake.Common.Build.AzurePipelines;
using Cake.Common.Build.GitHubActions;
using Cake.Common.Build.GitLabCI;
using Cake.Core;
using Cake.Core.IO;
using Path = System.IO.Path;

namespace Cake.Frosting.Internal;

/// <summary>
/// What the host writes for the CI system it runs under, beside its usual output: each task's
/// output as a collapsible group, the run's failure as the CI's own error record (with file, line
/// and column when known), and Cake's task report as Markdown where the CI has a summary page.
/// Which CI it is, and the commands' text, are Cake.Common's providers (the same ones
/// <c>context.BuildSystem()</c> returns) wherever Cake 7 has them. Off CI it writes nothing.
/// </summary>
/// <remarks>
/// The providers are made here rather than taken from <c>context.BuildSystem()</c> for two
/// reasons: the alias's providers write to <c>Console.Out</c> directly, around the host's console
/// (the order of lines, the output the host was given), and a switch error must be reported
/// before any context exists.
/// </remarks>
internal abstract class BuildSystemOutput
{
    public static readonly BuildSystemOutput None = new NoBuildSystem();

    /// <summary>The CI system the environment says this is (Cake's detection), writing through <paramref name="console"/>.</summary>
    public static BuildSystemOutput For(ICakeEnvironment environment, IFileSystem fileSystem, IConsole console)
    {
        var writer = new ConsoleMessageWriter(console);
        var gitHub = new GitHubActionsProvider(environment, fileSystem, writer);
        if (gitHub.IsRunningOnGitHubActions)
        {
            return new GitHubActionsOutput(gitHub, environment);
        }

        var azure = new AzurePipelinesProvider(environment, writer);
        if (azure.IsRunningOnAzurePipelines)
        {
            return new AzurePipelinesOutput(azure, environment);
        }

        var gitLab = new GitLabCIProvider(environment, fileSystem);
        if (gitLab.IsRunningOnGitLabCI)
        {
            return new GitLabCIOutput(console);
        }

        return None;
    }

    /// <summary>Whether the environment is one of the CI systems above (before the host's console exists).</summary>
    public static bool Detected(ICakeEnvironment environment) =>
        For(environment, new FileSystem(), new TextWriterConsole(TextWriter.Null)).IsCi;

    /// <summary>Whether this is a CI system (whose log renders colour: all three do).</summary>
    public virtual bool IsCi => true;

    /// <summary>Before the task's setup: everything it writes until <see cref="EndTask"/> is one group.</summary>
    public abstract void BeginTask(string name);

    /// <summary>After the task's teardown, whether it succeeded, failed or was skipped.</summary>
    public abstract void EndTask(string name);

    /// <summary>The run failed: one error record per issue, after the host has logged the failure.</summary>
    public abstract void Failed(IReadOnlyList<BuildIssue> issues);

    /// <summary>Markdown for the CI's summary page of this step (nothing where it has none).</summary>
    public abstract void Summary(string markdown);

    /// <summary>
    /// The path as the CI shows it: relative to the checkout when under it (annotations in a pull
    /// request's diff need that), otherwise as given.
    /// </summary>
    protected static string InCheckout(string file, string? checkout)
    {
        if (string.IsNullOrEmpty(checkout))
        {
            return file;
        }

        var relative = Path.GetRelativePath(Path.GetFullPath(checkout), Path.GetFullPath(file));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? file
            : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private sealed class NoBuildSystem : BuildSystemOutput
    {
        public override bool IsCi => false;

        public override void BeginTask(string name)
        {
        }

        public override void EndTask(string name)
        {
        }

        public override void Failed(IReadOnlyList<BuildIssue> issues)
        {
        }

        public override void Summary(string markdown)
        {
        }
    }
}
