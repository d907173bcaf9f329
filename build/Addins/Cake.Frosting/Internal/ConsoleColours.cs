using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>
/// Whether the host's output may carry colour. Cake's own console decides by TERM and CI
/// variables only, so a log file or a pipe (`| tee`, a CI system that does not render ANSI)
/// would fill with escape codes: colour only on a terminal, or where a CI renders it (GitHub
/// Actions, Azure Pipelines, GitLab, as Cake.Common's providers detect them), never with NO_COLOR
/// (https://no-color.org), always with FORCE_COLOR.
/// </summary>
internal static class ConsoleColours
{
    public static bool Wanted(Func<string, string?> variable, bool outputRedirected, bool onCiThatRendersColour)
    {
        if (variable("NO_COLOR") is { Length: > 0 })
        {
            return false;
        }

        if (variable("FORCE_COLOR") is { Length: > 0 } force && force != "0")
        {
            return true;
        }

        if (onCiThatRendersColour)
        {
            return true;
        }

        return !outputRedirected && variable("TERM") != "dumb";
    }

    /// <summary>Cake's console where colour is wanted; otherwise the same output, plain.</summary>
    public static IConsole For(ICakeEnvironment environment) =>
        Wanted(Environment.GetEnvironmentVariable, Console.IsOutputRedirected, BuildSystemOutput.Detected(environment))
            ? new CakeConsole(environment)
            : new TextWriterConsole(Console.Out, Console.Error);
}
