using Crossboard.Machine;

namespace Crossboard.Tests.Support;

/// <summary>
/// A real PostgreSQL (Debian's server) for one test: initdb in a temp folder, listening on
/// 127.0.0.1 only at a free port (its socket in that folder too), trust authentication for the
/// one user it creates, stopped and removed on Dispose. Run as the postgres user, as initdb will
/// not run as root. Skips the test where the server is not installed (tests/setup installs it).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "crossboard";

    private readonly string _bin;
    private readonly string _data;
    private readonly TempDir _dir = new("postgres");

    private PostgresServer(string bin, int port)
    {
        _bin = bin;
        Port = port;
        _data = _dir.Combine("data");
    }

    public int Port { get; }

    public string LogFile => _dir.Combine("server.log");

    public static PostgresServer Start(string database)
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        Assert.SkipWhen(bin is null || !File.Exists("/usr/bin/psql"), "PostgreSQL's server and psql are not installed (tests/setup/install-prereqs.sh installs postgresql)");
        Assert.SkipWhen(Environment.UserName != "root", "starting PostgreSQL as its own user needs root");
        var server = new PostgresServer(bin!, Crossboard.Tests.Fixtures.Ssh.DeviceServer.FreePort());
        try
        {
            server.Initialise(database);
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    private void Initialise(string database)
    {
        Run("chown", "-R", "postgres:postgres", _dir.Path);
        AsPostgres(Path.Combine(_bin, "initdb"), "-D", _data, "-A", "trust", "-U", User, "--no-sync");
        AsPostgres(Path.Combine(_bin, "pg_ctl"), "-D", _data, "-l", LogFile, "-w", "-t", "60",
            "-o", $"-c listen_addresses=127.0.0.1 -p {Port} -k {_dir.Path} -c fsync=off", "start");
        Query("postgres", $"CREATE DATABASE {database}");
    }

    /// <summary>Runs <paramref name="sql"/> with psql over TCP; its rows, one per line, columns separated by |.</summary>
    public string Query(string database, string sql) =>
        Run("psql", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", User, "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql).Trim();

    private void AsPostgres(params string[] command) => Run(["runuser", "-u", "postgres", "--", .. command]);

    private static string Run(params string[] command)
    {
        var result = ProcessRunner.Run(new ProcessSpec(command[0], command[1..]) { Timeout = TimeSpan.FromMinutes(2) });
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', command)} failed ({result.ExitCode}): {result.StandardOutput}{result.StandardError}");
        return result.StandardOutput;
    }

    public void Dispose()
    {
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            ProcessRunner.Run(new ProcessSpec("runuser", "-u", "postgres", "--", Path.Combine(_bin, "pg_ctl"), "-D", _data, "-m", "immediate", "-w", "stop"));
        }

        _dir.Dispose();
    }
}
