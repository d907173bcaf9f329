namespace Cake.Frosting;

/// <summary>
/// A failure as a CI system shows it: the message, and where it is when the build knows (a file,
/// its 1-based line and column). On GitHub Actions it becomes an annotation (shown in the pull
/// request's diff when the file is in the repository), on Azure Pipelines a logged issue.
/// Not in Cake.Frosting: this host's own, given to it with <see cref="CakeHost.UseBuildSystemIssues"/>.
/// </summary>
public sealed record BuildIssue(string Message, string? File = null, int? Line = null, int? Column = null);
