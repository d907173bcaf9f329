using Cake.Core;

namespace Cake.Frosting;

public interface IFrostingSetup
{
    void Setup(ICakeContext context, ISetupContext info);
}

public interface IFrostingTeardown
{
    void Teardown(ICakeContext context, ITeardownContext info);
}

public interface IFrostingLifetime : IFrostingSetup, IFrostingTeardown
{
}

public abstract class FrostingLifetime : FrostingLifetime<ICakeContext>
{
}

/// <summary>Runs once before the first task (Setup) and once after the last (Teardown), failed or not.</summary>
public abstract class FrostingLifetime<TContext> : IFrostingLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ISetupContext info);

    public abstract void Teardown(TContext context, ITeardownContext info);

    void IFrostingSetup.Setup(ICakeContext context, ISetupContext info) => Setup((TContext)context, info);

    void IFrostingTeardown.Teardown(ICakeContext context, ITeardownContext info) => Teardown((TContext)context, info);
}

public interface IFrostingTaskSetup
{
    void Setup(ICakeContext context, ITaskSetupContext info);
}

public interface IFrostingTaskTeardown
{
    void Teardown(ICakeContext context, ITaskTeardownContext info);
}

public interface IFrostingTaskLifetime : IFrostingTaskSetup, IFrostingTaskTeardown
{
}

public abstract class FrostingTaskLifetime : FrostingTaskLifetime<ICakeContext>
{
}

/// <summary>Runs around every task.</summary>
public abstract class FrostingTaskLifetime<TContext> : IFrostingTaskLifetime
    where TContext : ICakeContext
{
    public abstract void Setup(TContext context, ITaskSetupContext info);

    public abstract void Teardown(TContext context, ITaskTeardownContext info);

    void IFrostingTaskSetup.Setup(ICakeContext context, ITaskSetupContext info) => Setup((TContext)context, info);

    void IFrostingTaskTeardown.Teardown(ICakeContext context, ITaskTeardownContext info) => Teardown((TContext)context, info);
}
