using Cake.Frosting;
using Crossboard;

// First, before Cake and the recipes: the device the last identical command line deployed to is
// connected to in the background (see SpeculativeConnection); the deploy adopts it if it is the same.
Crossboard.Deploy.SpeculativeConnection.Start(args, Environment.CurrentDirectory);

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseTaskLifetime<Crossboard.Tasks.EarlyWork>()
    .UseHelpText(BuildContext.HelpText)
    .Run(args);
