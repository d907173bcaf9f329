namespace Crossboard.Tasks;

/// <summary>
/// Ctrl+C while a task works on the device (Run, CargoTest on the device): the first one cancels
/// <see cref="Token"/>, so the task stops the remote process and cleans up; a second one ends
/// crossboard as usual. Disposing unhooks it.
/// </summary>
internal sealed class CtrlC : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    public CtrlC() => Console.CancelKeyPress += OnCancel;

    public CancellationToken Token => _stop.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = !_stop.IsCancellationRequested;
        _stop.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _stop.Dispose();
    }
}
