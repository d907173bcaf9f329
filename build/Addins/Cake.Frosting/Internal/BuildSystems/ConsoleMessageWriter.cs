using Cake.Common.Build;
using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>
/// Cake.Common's build-system commands written through the host's console, in order with
/// everything else it writes (Cake's own writer for them goes to Console.Out directly).
/// </summary>
internal sealed class ConsoleMessageWriter(IConsole console) : IBuildSystemServiceMessageWriter
{
    public void Write(string format, params object[] args) => console.WriteLine(format, args);
}
