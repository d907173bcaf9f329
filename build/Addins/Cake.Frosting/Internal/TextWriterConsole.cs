using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>Cake's console over TextWriters, without colour: what tests capture, and the console's output where colour is not wanted.</summary>
internal sealed class TextWriterConsole(TextWriter writer, TextWriter? errors = null) : IConsole
{
    private readonly TextWriter _errors = errors ?? writer;

    public ConsoleColor ForegroundColor { get; set; }
    public ConsoleColor BackgroundColor { get; set; }
    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => Locked(writer, Format(format, arg), newLine: false);
    public void WriteLine(string format, params object[] arg) => Locked(writer, Format(format, arg), newLine: true);
    public void WriteError(string format, params object[] arg) => Locked(_errors, Format(format, arg), newLine: false);
    public void WriteErrorLine(string format, params object[] arg) => Locked(_errors, Format(format, arg), newLine: true);

    public void ResetColor()
    {
    }

    private static string Format(string format, object[] arg) => arg.Length == 0 ? format : string.Format(format, arg);

    private static void Locked(TextWriter target, string text, bool newLine)
    {
        lock (target)
        {
            if (newLine)
            {
                target.WriteLine(text);
            }
            else
            {
                target.Write(text);
            }
        }
    }
}
