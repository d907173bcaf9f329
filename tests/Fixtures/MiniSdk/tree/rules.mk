# What the real rules.mk derives from .config (names and formats as there).
-include $(TOPDIR)/.config

qstrip=$(strip $(subst ",,$(1)))

TOOLS:=m4
TOOLCHAIN:=binutils gcc musl

ARCH:=$(call qstrip,$(CONFIG_ARCH))
CPU_TYPE:=$(call qstrip,$(CONFIG_CPU_TYPE))
ARCH_PACKAGES:=$(call qstrip,$(CONFIG_TARGET_ARCH_PACKAGES))
BOARD:=$(call qstrip,$(CONFIG_TARGET_BOARD))
SUBTARGET:=$(call qstrip,$(CONFIG_TARGET_SUBTARGET))
LIBC:=$(call qstrip,$(CONFIG_LIBC))
GCCV:=$(call qstrip,$(CONFIG_GCC_VERSION))
TARGET_SUFFIX:=$(call qstrip,$(CONFIG_TARGET_SUFFIX))
ARCH_SUFFIX:=$(if $(CPU_TYPE),_$(CPU_TYPE))
DIR_SUFFIX:=_$(LIBC)$(if $(CONFIG_arm),_eabi)
OPTIMIZE_FOR_CPU:=$(ARCH)
REAL_GNU_TARGET_NAME=$(OPTIMIZE_FOR_CPU)-openwrt-linux$(if $(TARGET_SUFFIX),-$(TARGET_SUFFIX))
GNU_TARGET_NAME=$(OPTIMIZE_FOR_CPU)-openwrt-linux
TARGET_DIR_NAME=target-$(ARCH)$(ARCH_SUFFIX)$(DIR_SUFFIX)
TOOLCHAIN_DIR_NAME=toolchain-$(ARCH)$(ARCH_SUFFIX)_gcc-$(GCCV)$(DIR_SUFFIX)

STAGING_DIR:=$(TOPDIR)/staging_dir/$(TARGET_DIR_NAME)
STAGING_DIR_HOST:=$(TOPDIR)/staging_dir/host
TOOLCHAIN_DIR:=$(TOPDIR)/staging_dir/$(TOOLCHAIN_DIR_NAME)
BUILD_DIR_BASE:=$(TOPDIR)/build_dir
BUILD_DIR:=$(BUILD_DIR_BASE)/$(TARGET_DIR_NAME)
DL_DIR:=$(TOPDIR)/dl
SCRIPT_DIR:=$(TOPDIR)/scripts
INCLUDE_DIR:=$(TOPDIR)/include
