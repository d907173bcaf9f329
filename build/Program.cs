using Cake.Frosting;
using Crossboard;

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseHelpText(BuildContext.HelpText)
    .Run(args);
