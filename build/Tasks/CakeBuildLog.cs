using Cake.Core.Diagnostics;
using Crossboard.Machine;

namespace Crossboard.Tasks;

/// <summary>Cake's log behind the services' <see cref="IBuildLog"/>.</summary>
public sealed class CakeBuildLog(ICakeLog log) : IBuildLog
{
    // Messages may contain braces (paths, JSON): never let Cake treat them as a format string.
    public void Information(string message) => log.Information("{0}", message);
    public void Verbose(string message) => log.Verbose("{0}", message);
    public void Warning(string message) => log.Warning("{0}", message);
}
