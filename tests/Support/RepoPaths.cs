namespace Crossboard.Tests.Support;

/// <summary>Where the repository and the built program are, seen from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Recipes => Path.Combine(Root, "recipes");
    public static string Toolchains => Path.Combine(Root, "toolchains");

    /// <summary>Build.dll, copied beside the tests by the project reference.</summary>
    public static string BuildDll => Path.Combine(AppContext.BaseDirectory, "Build.dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "recipes")) && File.Exists(Path.Combine(dir.FullName, "build", "Build.csproj")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("tests must run from inside the repository");
    }
}
