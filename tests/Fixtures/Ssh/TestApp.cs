using System.Security.Cryptography;
using System.Text;
using Crossboard.Machine;
using Crossboard.Recipes;

namespace Crossboard.Tests.Fixtures.Ssh;

/// <summary>What one build of the test app does.</summary>
/// <param name="Name">Its name (printed when it listens).</param>
/// <param name="Version">What --version prints and what it serves: "hello world VERSION".</param>
/// <param name="Port">The port it listens on, at the device's own address (/etc/crossboard-address).</param>
/// <param name="Fail">When set, it prints this to stderr and exits with <paramref name="ExitCode"/> instead of serving.</param>
public sealed record TestAppBuild(string Name, string Version, int Port, string? Fail = null, int ExitCode = 2);

/// <summary>
/// The app the deploy tests deploy: a real ELF program for the devices the tests start
/// (<see cref="DeviceServer"/>), which run on the test machine's own CPU, so it is compiled with
/// the machine's gcc, linked against its glibc (the devices see its /usr/lib), and checked like
/// any binary against the board it claims, <see cref="BoardName"/>. It serves "hello world
/// VERSION" at /text, prints its version with --version, and can be made to fail at start. One
/// compile serves every build: each build's settings are written into a block the program reads
/// at run time (the marker below), so versions differ in their bytes as real builds do.
/// </summary>
public static class TestApp
{
    /// <summary>The board the tests' devices are (tests/Fixtures/Ssh/recipes/x86-64-device.toml).</summary>
    public const string BoardName = "x86-64-device";

    private const string Marker = "@@CROSSBOARD-TEST-APP-CONFIG@@";

    public const string Source = """
        /* crossboard's deploy-test app (tests/Fixtures/Ssh/TestApp.cs). Its settings are written
           into the block below in the built binary: one compile serves every test build. */
        #include <arpa/inet.h>
        #include <netinet/in.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/socket.h>
        #include <unistd.h>

        /* volatile: the compiler must read it at run time, not fold the marker in. */
        static const volatile char config[512] = "@@CROSSBOARD-TEST-APP-CONFIG@@";
        static char settings[512];

        static const char *get(const char *key, const char *fallback) {
            static char values[8][256];
            static int next;
            size_t klen = strlen(key);
            for (const char *line = settings; *line; ) {
                const char *end = strchr(line, '\n');
                size_t len = end ? (size_t)(end - line) : strlen(line);
                if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
                    char *value = values[next++ % 8];
                    size_t n = len - klen - 1 < 255 ? len - klen - 1 : 255;
                    memcpy(value, line + klen + 1, n);
                    value[n] = 0;
                    return value;
                }
                if (!end) break;
                line = end + 1;
            }
            return fallback;
        }

        int main(int argc, char **argv) {
            for (size_t i = 0; i < sizeof settings - 1; i++) settings[i] = config[i];
            setvbuf(stdout, NULL, _IOLBF, 0);
            const char *version = get("version", "v0"), *name = get("name", "app");
            int port = atoi(get("port", "8000"));
            if (argc > 1 && strcmp(argv[1], "--version") == 0) { printf("%s\n", version); return 0; }
            if (getenv("APP_FAIL")) { fprintf(stderr, "APP_FAIL is set: %s\n", getenv("APP_FAIL")); return 2; }
            if (strcmp(get("mode", "serve"), "fail") == 0) {
                fprintf(stderr, "%s\n", get("say", "failing on purpose"));
                return atoi(get("exit", "1"));
            }

            char address[64] = "127.0.0.1";
            FILE *file = fopen("/etc/crossboard-address", "r");
            if (file) {
                if (fgets(address, sizeof address, file)) address[strcspn(address, "\r\n")] = 0;
                fclose(file);
            }

            int server = socket(AF_INET, SOCK_STREAM, 0), one = 1;
            setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            struct sockaddr_in at = {0};
            at.sin_family = AF_INET;
            at.sin_port = htons(port);
            if (inet_pton(AF_INET, address, &at.sin_addr) != 1) { fprintf(stderr, "bad address %s\n", address); return 1; }
            if (bind(server, (struct sockaddr *)&at, sizeof at) != 0) { perror("bind"); return 1; }
            if (listen(server, 16) != 0) { perror("listen"); return 1; }
            /* The arguments and APP_GREETING, so that tests see what the app was started with. */
            printf("%s %s listening on %s:%d", name, version, address, port);
            if (getenv("APP_GREETING")) printf(" greeting=%s", getenv("APP_GREETING"));
            for (int i = 1; i < argc; i++) printf(" arg=%s", argv[i]);
            printf("\n");

            char body[300];
            snprintf(body, sizeof body, "hello world %s\n", version);
            for (;;) {
                int client = accept(server, NULL, NULL);
                if (client < 0) continue;
                char request[4096];
                ssize_t n = 0, got;
                while (n < (ssize_t)sizeof request - 1 && (got = read(client, request + n, sizeof request - 1 - n)) > 0) {
                    n += got;
                    request[n] = 0;
                    if (strstr(request, "\r\n\r\n")) break;
                }
                request[n > 0 ? n : 0] = 0;
                request[strcspn(request, "\r\n")] = 0;
                printf("%s\n", request); /* the request line, as busybox httpd -v logs it */
                char method[16] = "", path[1024] = "", answer[1024];
                sscanf(request, "%15s %1023s", method, path);
                int found = strcmp(path, "/text") == 0;
                const char *content = found ? body : "not found\n";
                int length = snprintf(answer, sizeof answer,
                    "HTTP/1.0 %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                    found ? "200 OK" : "404 Not Found", strlen(content), content);
                if (write(client, answer, length) < 0) perror("write");
                close(client);
            }
        }
        """;

    private static readonly Lazy<byte[]> Compiled = new(Compile);

    /// <summary>tests/Fixtures/Ssh/recipes: the test device's board and toolchain, for --recipes.</summary>
    public static string RecipesDir => Path.Combine(CrossboardPaths.RepoRoot(), "tests", "Fixtures", "Ssh", "recipes");

    /// <summary>The test device's board, loaded and validated like any recipe.</summary>
    public static Board Board()
    {
        var root = CrossboardPaths.RepoRoot();
        var catalog = RecipeCatalog.Load(Path.Combine(root, "recipes"), Path.Combine(root, "toolchains"), RecipesDir);
        catalog.ThrowIfInvalid();
        return catalog.GetBoard(BoardName);
    }

    /// <summary>The program's bytes for <paramref name="build"/>.</summary>
    public static byte[] Bytes(TestAppBuild build)
    {
        var settings = new StringBuilder()
            .Append($"version={build.Version}\nname={build.Name}\nport={build.Port}\n")
            .Append(build.Fail is null ? "mode=serve\n" : $"mode=fail\nsay={build.Fail}\nexit={build.ExitCode}\n")
            .ToString();
        var bytes = Compiled.Value.ToArray();
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(Marker));
        var text = Encoding.ASCII.GetBytes(settings);
        if (at < 0 || text.Length >= 512)
        {
            throw new InvalidOperationException("the test app's settings block was not found, or the settings are too long");
        }

        bytes.AsSpan(at, 512).Clear();
        text.CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>Compiles <see cref="Source"/> once per machine and source (kept in the temp dir; a rename makes it appear whole).</summary>
    private static byte[] Compile()
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Source)))[..16];
        var dir = Path.Combine(Path.GetTempPath(), "crossboard-test-app");
        var binary = Path.Combine(dir, $"app-{hash}");
        if (!File.Exists(binary))
        {
            Directory.CreateDirectory(dir);
            var source = Path.Combine(dir, $"app-{hash}-{Environment.ProcessId}.c");
            File.WriteAllText(source, Source);
            var output = source[..^2];
            ProcessRunner.RunChecked(new ProcessSpec("gcc", "-Os", "-s", "-Wall", "-o", output, source), "gcc could not build the deploy tests' app");
            File.Move(output, binary, overwrite: true);
            File.Delete(source);
        }

        return File.ReadAllBytes(binary);
    }
}
