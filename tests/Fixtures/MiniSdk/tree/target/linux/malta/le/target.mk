ARCH:=mipsel
CPU_TYPE:=24kc
SUBTARGET:=le
BOARDNAME:=Little Endian
