using Cake.Core;

namespace Cake.Frosting.Internal;

/// <summary>
/// The host's console, readable while a task runs in the background: what a background task
/// writes (Cake's log, its step header, its CI group) goes to a section of its own, kept until the
/// main line can write it whole (between two of its tasks) or until a task waits for it, when the
/// section is written and then follows live. Everything else passes straight through. Which
/// section a write belongs to follows the async flow that writes it.
/// </summary>
internal sealed class SectionConsole(IConsole inner) : IConsole
{
    private static readonly AsyncLocal<Section?> Current = new();
    private readonly object _gate = new();
    private readonly List<Section> _pending = new();

    /// <summary>Starts a section for the calling flow (and what it starts): its writes are kept from now on.</summary>
    public Section Begin(string name)
    {
        var section = new Section(name);
        lock (_gate)
        {
            _pending.Add(section);
        }

        Current.Value = section;
        return section;
    }

    /// <summary>Writes every section that has ended, in the order they began, as far as the first one still running.</summary>
    public void WriteEnded()
    {
        lock (_gate)
        {
            while (_pending.Count > 0 && _pending[0].Ended)
            {
                Replay(_pending[0]);
                _pending.RemoveAt(0);
            }
        }
    }

    /// <summary>
    /// Writes what <paramref name="section"/> kept, and what began before it, and lets it write
    /// live from now on; a section that began earlier and still runs is followed live until it ends
    /// (one live section at a time keeps each readable). Returns when <paramref name="section"/> is
    /// live or written.
    /// </summary>
    public async Task FollowAsync(Section section)
    {
        while (true)
        {
            Section? earlier = null;
            lock (_gate)
            {
                while (_pending.Count > 0 && _pending[0].Ended)
                {
                    Replay(_pending[0]);
                    _pending.RemoveAt(0);
                }

                if (!_pending.Contains(section))
                {
                    return;
                }

                var head = _pending[0];
                Replay(head);
                head.Live = true;
                _pending.RemoveAt(0);
                if (head == section)
                {
                    return;
                }

                earlier = head;
            }

            await earlier.Done.ConfigureAwait(false);
        }
    }

    public ConsoleColor ForegroundColor
    {
        get => Buffering(out var s) ? s.Foreground ?? inner.ForegroundColor : inner.ForegroundColor;
        set
        {
            if (Buffering(out var s))
            {
                s.Foreground = value;
            }
            else
            {
                inner.ForegroundColor = value;
            }
        }
    }

    public ConsoleColor BackgroundColor
    {
        get => Buffering(out var s) ? s.Background ?? inner.BackgroundColor : inner.BackgroundColor;
        set
        {
            if (Buffering(out var s))
            {
                s.Background = value;
            }
            else
            {
                inner.BackgroundColor = value;
            }
        }
    }

    public bool SupportAnsiEscapeCodes => inner.SupportAnsiEscapeCodes;

    public void ResetColor()
    {
        if (Buffering(out var s))
        {
            s.Foreground = s.Background = null;
        }
        else
        {
            inner.ResetColor();
        }
    }

    public void Write(string format, params object[] arg) => Emit(Format(format, arg), newLine: false, error: false);

    public void WriteLine(string format, params object[] arg) => Emit(Format(format, arg), newLine: true, error: false);

    public void WriteError(string format, params object[] arg) => Emit(Format(format, arg), newLine: false, error: true);

    public void WriteErrorLine(string format, params object[] arg) => Emit(Format(format, arg), newLine: true, error: true);

    private bool Buffering(out Section section)
    {
        section = Current.Value!;
        if (section is null)
        {
            return false;
        }

        lock (_gate)
        {
            return !section.Live;
        }
    }

    private void Emit(string text, bool newLine, bool error)
    {
        var section = Current.Value;
        if (section is not null)
        {
            lock (_gate)
            {
                if (!section.Live)
                {
                    section.Lines.Add(new Line(text, newLine, error, section.Foreground, section.Background));
                    return;
                }
            }
        }

        Write(inner, text, newLine, error);
    }

    private void Replay(Section section)
    {
        foreach (var line in section.Lines)
        {
            if (line.Foreground is { } fg)
            {
                inner.ForegroundColor = fg;
            }

            if (line.Background is { } bg)
            {
                inner.BackgroundColor = bg;
            }

            Write(inner, line.Text, line.NewLine, line.Error);
            if (line.Foreground is not null || line.Background is not null)
            {
                inner.ResetColor();
            }
        }

        section.Lines.Clear();
    }

    // Already formatted: braces in the text must not be read as a format again.
    private static void Write(IConsole console, string text, bool newLine, bool error)
    {
        switch ((newLine, error))
        {
            case (true, false): console.WriteLine("{0}", text); break;
            case (false, false): console.Write("{0}", text); break;
            case (true, true): console.WriteErrorLine("{0}", text); break;
            default: console.WriteError("{0}", text); break;
        }
    }

    private static string Format(string format, object[] arg) => arg is null || arg.Length == 0 ? format : string.Format(format, arg);

    internal sealed record Line(string Text, bool NewLine, bool Error, ConsoleColor? Foreground, ConsoleColor? Background);

    /// <summary>One background task's output.</summary>
    internal sealed class Section(string name)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name { get; } = name;
        internal List<Line> Lines { get; } = new();
        internal bool Live { get; set; }
        internal ConsoleColor? Foreground { get; set; }
        internal ConsoleColor? Background { get; set; }
        public bool Ended => _done.Task.IsCompleted;
        public Task Done => _done.Task;

        /// <summary>The task has written all it will.</summary>
        public void End() => _done.TrySetResult();
    }
}
