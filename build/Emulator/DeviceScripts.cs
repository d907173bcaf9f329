namespace Crossboard.Emulator;

/// <summary>
/// The emulated device's boot scripts (busybox ash). Kept in C# rather than as resource files so
/// that build.sh, which rebuilds when a .cs file changes, notices an edit; a change here changes
/// the image's stamp, so the next EmulatorImage rebuilds the image.
/// Placeholders: @ROOT_SIZE@, @MODULES@, @HOSTNAME@, @MARKER@.
/// </summary>
public static class DeviceScripts
{
    /// <summary>/init: PID 1 in the initramfs.</summary>
    public const string Init = """
#!/bin/busybox sh
# crossboard's emulated device, stage 1 (PID 1 in the initramfs). The kernel unpacks the
# initramfs into "rootfs", which busybox df cannot measure ("can't find mount point"), while the
# deploy stage checks free space with df like on a real device: copy the tree onto a real tmpfs
# mount and switch to it, then hand over to busybox init (which reaps orphans, unlike a script).
/bin/busybox mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
echo "crossboard init: moving the root filesystem to tmpfs"
/bin/busybox mkdir -p /newroot
/bin/busybox mount -t tmpfs -o size=@ROOT_SIZE@,mode=0755 tmpfs /newroot
for entry in /*; do
  case "$entry" in
    /newroot|/dev|/proc|/sys) /bin/busybox mkdir -p "/newroot$entry" ;;
    *) /bin/busybox cp -a "$entry" /newroot/ ;;
  esac
done
/bin/busybox mount -o move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/init
""";

    /// <summary>/etc/init.d/rcS: busybox init's sysinit step; prints the marker once dropbear listens.</summary>
    public const string Rcs = """
#!/bin/busybox sh
# crossboard's emulated device, stage 2 (busybox init's sysinit): the applets, the kernel
# filesystems, the NIC driver, the network of qemu's user-mode stack, dropbear; then the marker
# line the host waits for on the serial console.
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp/run /tmp/lock /tmp/log
mount -t devpts devpts /dev/pts
hostname "@HOSTNAME@"

echo "crossboard init: loading @MODULES@"
for module in @MODULES@; do
  insmod "/lib/modules/$module.ko" || echo "crossboard init: insmod $module failed"
done

ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2

echo "crossboard init: starting dropbear"
# -F -E: stay in the foreground of this background job and log to the console; -s: keys only.
dropbear -F -E -s -p 22 -r /etc/dropbear/dropbear_ed25519_host_key &
dropbear_pid=$!
while ! netstat -ltn | grep -q ':22 '; do
  if ! kill -0 "$dropbear_pid" 2>/dev/null; then
    echo "crossboard init: dropbear exited before listening on port 22"
    exit 1
  fi
  usleep 100000
done
echo "@MARKER@"
""";

    /// <summary>/etc/inittab for busybox init.</summary>
    public const string Inittab = """
::sysinit:/etc/init.d/rcS
::shutdown:/bin/sync
""";
}
