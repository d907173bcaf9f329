using Crossboard.Machine;
using Crossboard.Tests.Support;

[assembly: AssemblyFixture(typeof(Crossboard.Tests.Artifacts.TestBinaries))]

namespace Crossboard.Tests.Artifacts;

/// <summary>
/// Real ELF files the Rust builds cannot give offline, made with Debian's cross C compilers:
/// a big-endian MIPS program (mipsel-linux-gnu-gcc -EB: the same binutils emit either byte
/// order; no Debian 12 port gives a big-endian Rust std), an ARMv6 hard-float program (the Pi
/// Zero's ISA), a soft-float musl-dynamic mipsel program asking for OpenWrt's loader, and a
/// static-pie program (what rustc makes of +crt-static on targets that default to PIE).
/// </summary>
public sealed class TestBinaries : IDisposable
{
    private readonly TempDir _dir = new("elf");
    private readonly Lazy<string> _bigEndianMips;
    private readonly Lazy<string> _armv6;
    private readonly Lazy<string> _muslDynamic;
    private readonly Lazy<string> _object;
    private readonly Lazy<string> _staticPie;
    private readonly Lazy<string> _glibcDynamic;

    public TestBinaries()
    {
        // o32 exit(0): v0 = 4001, a0 = 0, syscall. Runs under qemu-mips.
        var mipsStart = _dir.Write("mips-start.c", "void __start(void) { __asm__ volatile (\"li $a0, 0\\n li $v0, 4001\\n syscall\\n\"); }\n");
        var armStart = _dir.Write("arm-start.c", "void _start(void) { for (;;) { } }\n");
        var stub = _dir.Write("stub.c", "int musl_stub(void) { return 0; }\n");

        _bigEndianMips = new(() => Compile("mipsel-linux-gnu-gcc", "be-mips", "-EB", "-nostdlib", "-static", "-O2", mipsStart));
        _armv6 = new(() => Compile("arm-linux-gnueabihf-gcc", "armv6", "-march=armv6", "-marm", "-mfpu=vfp", "-mfloat-abi=hard", "-nostdlib", "-static", armStart));
        _muslDynamic = new(() =>
        {
            // A stand-in for musl's libc.so (same soname), so the program has a real DT_NEEDED.
            var libc = Compile("mipsel-linux-gnu-gcc", "libc.so", "-msoft-float", "-shared", "-nostdlib", "-fPIC", "-Wl,-soname,libc.so", stub);
            return Compile("mipsel-linux-gnu-gcc", "musl-dynamic", "-msoft-float", "-nostdlib", "-fPIE", "-pie", "-Wl,-e,__start",
                "-Wl,--dynamic-linker=/lib/ld-musl-mipsel-sf.so.1", "-Wl,--no-as-needed", mipsStart, libc);
        });
        _object = new(() => Compile("mipsel-linux-gnu-gcc", "start.o", "-c", mipsStart));
        var hello = _dir.Write("hello.c", "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n");
        _staticPie = new(() => Compile("gcc", "static-pie", "-static-pie", hello));
        _glibcDynamic = new(() => Compile("mipsel-linux-gnu-gcc", "glibc-dynamic", "-O2", hello));
    }

    public string BigEndianMips => _bigEndianMips.Value;
    public string Armv6 => _armv6.Value;
    public string MuslDynamicSoftFloatMipsel => _muslDynamic.Value;
    public string MipselObject => _object.Value;
    /// <summary>A mipsel program linked dynamically against Debian's glibc (hard float, /lib/ld.so.1).</summary>
    public string GlibcDynamicMipsel => _glibcDynamic.Value;
    /// <summary>A host (x86-64) static-pie program: ET_DYN with a dynamic section but no loader.</summary>
    public string StaticPie => _staticPie.Value;

    public string Write(string name, byte[] bytes)
    {
        var path = _dir.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Compile(string compiler, string output, params string[] args)
    {
        var path = _dir.Combine(output);
        ProcessRunner.RunChecked(new ProcessSpec(compiler, ["-o", path, .. args]), $"{compiler} could not build the test binary {output}");
        return path;
    }

    public void Dispose() => _dir.Dispose();
}
