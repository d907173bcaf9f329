using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>Cake's console over a TextWriter, without colour: what tests capture.</summary>
internal sealed class TextWriterConsole(TextWriter writer) : IConsole
{
    public ConsoleColor ForegroundColor { get; set; }
    public ConsoleColor BackgroundColor { get; set; }
    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => Locked(() => writer.Write(Format(format, arg)));
    public void WriteLine(string format, params object[] arg) => Locked(() => writer.WriteLine(Format(format, arg)));
    public void WriteError(string format, params object[] arg) => Write(format, arg);
    public void WriteErrorLine(string format, params object[] arg) => WriteLine(format, arg);
    public void ResetColor()
    {
    }

    private static string Format(string format, object[] arg) => arg.Length == 0 ? format : string.Format(format, arg);

    private void Locked(Action write)
    {
        lock (writer)
        {
            write();
        }
    }
}
