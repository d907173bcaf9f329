using Crossboard.Recipes;

namespace Crossboard.Toolchains;

/// <summary>
/// A C library an app can declare in its Cargo.toml (<c>[package.metadata.crossboard] c-libraries</c>):
/// what each toolchain kind fetches for the target, how it links, and what the common <c>-sys</c>
/// crates read to find it.
/// </summary>
/// <param name="Name">The name an app declares: the library's link name (sqlite3 for -lsqlite3).</param>
/// <param name="What">For messages: "SQLite".</param>
/// <param name="DebianDev">Debian's development package (headers, .so link, .a, .pc), fetched for the target arch.</param>
/// <param name="DebianRuntime">Debian's runtime package a device needs for a dynamically linked app.</param>
/// <param name="OpenWrtPackage">OpenWrt's package that provides it on a device.</param>
/// <param name="PkgConfig">Its pkg-config module.</param>
/// <param name="Archives">Its static archives (all needed for a static link).</param>
/// <param name="StaticLinkable">Whether its archives link alone; libpq's need libpgcommon/libpgport, which Debian does not ship.</param>
/// <param name="Sonames">What a dynamically linked binary NEEDs from it.</param>
/// <param name="StaticAlso">The other libraries (names here) a static link of it needs: its .pc file's Libs.private beyond libc.</param>
/// <param name="OpenWrtBuild">How an OpenWrt tree or SDK builds it into its staging_dir.</param>
public sealed record CLibrary(
    string Name,
    string What,
    string DebianDev,
    string DebianRuntime,
    string OpenWrtPackage,
    string PkgConfig,
    IReadOnlyList<string> Archives,
    bool StaticLinkable,
    IReadOnlyList<string> Sonames,
    IReadOnlyList<string>? StaticAlso = null,
    OpenWrtSourcePackage? OpenWrtBuild = null)
{
    /// <summary>
    /// The variables the crates that link it read (set for the build only): where its library and
    /// headers are, and static linking when chosen.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> CrateVariables(string triple, string libDir, string includeDir, string prefix, bool linkStatic)
    {
        var upper = TargetTriple.EnvName(triple);
        switch (Name)
        {
            case "sqlite3": // libsqlite3-sys (rusqlite, diesel's sqlite backend)
                yield return new("SQLITE3_LIB_DIR", libDir);
                yield return new("SQLITE3_INCLUDE_DIR", includeDir);
                if (linkStatic)
                {
                    yield return new("SQLITE3_STATIC", "1");
                }

                break;
            case "pq": // pq-sys (diesel's postgres backend)
                yield return new("PQ_LIB_DIR", libDir);
                yield return new("PQ_INCLUDE_DIR", includeDir);
                break;
            case "ssl": // openssl-sys, by target (the host's build scripts keep the host's OpenSSL)
                yield return new($"{upper}_OPENSSL_DIR", prefix);
                yield return new($"{upper}_OPENSSL_LIB_DIR", libDir);
                yield return new($"{upper}_OPENSSL_INCLUDE_DIR", includeDir);
                if (linkStatic)
                {
                    yield return new($"{upper}_OPENSSL_STATIC", "1");
                }

                break;
            case "z": // libz-sys
                if (linkStatic)
                {
                    yield return new("LIBZ_SYS_STATIC", "1");
                }

                break;
        }
    }
}

/// <summary>The C libraries crossboard can provide for a target.</summary>
public static class CLibraries
{
    public static IReadOnlyList<CLibrary> All { get; } =
    [
        new("sqlite3", "SQLite", "libsqlite3-dev", "libsqlite3-0", "libsqlite3", "sqlite3", ["libsqlite3.a"], true, ["libsqlite3.so.0"], ["z"],
            new OpenWrtSourcePackage("sqlite3", "libsqlite3", "packages")),
        new("pq", "PostgreSQL's client library libpq", "libpq-dev", "libpq5", "libpq", "libpq", ["libpq.a"], false, ["libpq.so.5"], null,
            new OpenWrtSourcePackage("postgresql", "libpq", "packages")),
        new("ssl", "OpenSSL (libssl and libcrypto)", "libssl-dev", "libssl3", "libopenssl3", "openssl", ["libssl.a", "libcrypto.a"], true, ["libssl.so.3", "libcrypto.so.3"], null,
            new OpenWrtSourcePackage("openssl", "libopenssl", "base")),
        new("z", "zlib", "zlib1g-dev", "zlib1g", "zlib", "zlib", ["libz.a"], true, ["libz.so.1"], null,
            new OpenWrtSourcePackage("zlib", "zlib", "base")),
    ];

    /// <summary>Other names users write for them: "sqlite" for sqlite3, "libpq" for pq, "openssl" for ssl.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["libsqlite3"] = "sqlite3",
        ["libpq"] = "pq",
        ["postgresql"] = "pq",
        ["openssl"] = "ssl",
        ["libssl"] = "ssl",
        ["zlib"] = "z",
        ["libz"] = "z",
    };

    public static IReadOnlyList<string> Names => All.Select(l => l.Name).ToList();

    public static CLibrary? Find(string name) => All.FirstOrDefault(l => l.Name == name);

    /// <summary>The libraries, plus those a static link of them also needs (sqlite3's archive needs zlib's).</summary>
    public static List<CLibrary> WithStaticNeeds(IEnumerable<CLibrary> declared, bool linkStatic)
    {
        var all = declared.ToList();
        if (linkStatic)
        {
            foreach (var extra in all.SelectMany(l => l.StaticAlso ?? []).Select(n => Find(n)!).ToList())
            {
                if (!all.Contains(extra))
                {
                    all.Add(extra);
                }
            }
        }

        return all;
    }

    /// <summary>The known name a user probably meant by <paramref name="name"/>: an alias, or a near spelling.</summary>
    public static string? Suggest(string name) =>
        Aliases.TryGetValue(name, out var alias) ? alias : NameSuggestions.Closest(name, Names.Concat(Aliases.Keys)) is { } close
            ? Aliases.GetValueOrDefault(close, close)
            : null;
}

/// <summary>How OpenWrt builds a C library into its staging_dir.</summary>
/// <param name="Source">The source package, named by its folder (feeds/packages/libs/sqlite3: sqlite3), for `make package/&lt;source&gt;/compile`.</param>
/// <param name="Package">The binary package whose development files (headers, .so, .a, .pc) that compile stages, selected in .config as CONFIG_PACKAGE_&lt;package&gt;.</param>
/// <param name="Feed">The feed that has it when the tree's own package/ does not: packages for sqlite3 and postgresql; base (the OpenWrt tree itself, as an SDK's feeds.conf.default names it) for zlib and openssl, which a source tree has in package/libs.</param>
public sealed record OpenWrtSourcePackage(string Source, string Package, string Feed);
