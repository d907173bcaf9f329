namespace Crossboard.Machine;

/// <summary>
/// Whether crossboard may change the machine (install packages) without asking: yes on CI
/// (CI set) or with --yes; ask on a terminal; otherwise refuse and print the command.
/// </summary>
public sealed record Consent(bool AssumeYes, bool CanAsk)
{
    public static Consent FromEnvironment(bool yesSwitch) => new(
        yesSwitch || Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false" && ci != "0",
        !Console.IsInputRedirected && !Console.IsOutputRedirected);

    /// <summary>
    /// After the host plan (<see cref="HostSetup"/>) the run asks nothing more: what it installs
    /// later (nothing, when the plan was complete) goes ahead only if the plan was approved.
    /// </summary>
    public Consent AfterPlan(bool approved) => new(AssumeYes || approved, CanAsk: false);

    /// <summary>True to go ahead; false when the user said no or nobody can be asked.</summary>
    public bool Ask(string question)
    {
        if (AssumeYes)
        {
            return true;
        }

        if (!CanAsk)
        {
            return false;
        }

        Console.Write($"{question} [Y/n] ");
        var answer = Console.ReadLine()?.Trim().ToLowerInvariant();
        return answer is "" or "y" or "yes";
    }
}
