# Which Debian cross toolchain stands in for the one OpenWrt would build, and its CPU flags.
HOST_CROSS:=$(if $(CONFIG_arm),arm-linux-gnueabihf,$(if $(CONFIG_mipsel),mipsel-linux-gnu,mips-linux-gnu))
HOST_CROSS_CFLAGS:=$(if $(findstring arm1176,$(CPU_TYPE)),-mcpu=arm1176jzf-s -mfpu=vfp -marm,$(if $(findstring cortex-a7,$(CPU_TYPE)),-mcpu=cortex-a7 -mfpu=neon-vfpv4,$(if $(findstring 24kc,$(CPU_TYPE)),-march=24kc)))
