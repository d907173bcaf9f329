using Cake.Frosting;
using Crossboard;

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseTaskLifetime<Crossboard.Tasks.EarlyWork>()
    .UseHelpText(BuildContext.HelpText)
    .Run(args);
