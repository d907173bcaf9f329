import os

from .base import Figure, ROOT


class HostStart(Figure):
    """Figure 1: `./build.sh --target=Boards` warm, vs the Frosting template's `dotnet run`."""
    name = "host-start"
    title = "Host start: ./build.sh --target=Boards (warm)"
    ours = "build.sh"
    baseline = "dotnet run"
    target = 0.5 / 1.5  # well under 0.5 s where dotnet run costs ~1.5 s

    def measure(self, runs, work_dir, timed):
        env = dict(os.environ, NO_COLOR="1")
        build_sh = [os.path.join(ROOT, "build.sh"), "--target=Boards"]
        dotnet_run = ["dotnet", "run", "--project", os.path.join(ROOT, "build", "Build.csproj"), "-c", "Release", "--", "--target=Boards"]
        return self.interleave(runs, {
            self.ours: lambda: timed(build_sh, env),
            self.baseline: lambda: timed(dotnet_run, env),
        })
