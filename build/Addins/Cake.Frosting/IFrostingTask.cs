using Cake.Core;

namespace Cake.Frosting;

/// <summary>What the host needs of a task; implemented by <see cref="FrostingTask{T}"/> and <see cref="AsyncFrostingTask{T}"/>.</summary>
public interface IFrostingTask
{
    Task RunAsync(ICakeContext context);

    bool ShouldRun(ICakeContext context);

    /// <summary>Logged by Cake when <see cref="ShouldRun"/> says no.</summary>
    string SkippedMessage => string.Empty;

    void OnError(Exception exception, ICakeContext context);

    void Finally(ICakeContext context);
}
