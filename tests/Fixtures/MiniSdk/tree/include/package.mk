# Target packages: the real include/package.mk in short. A package's Makefile sets PKG_*, defines
# Package/<name>, Build/InstallDev and Package/<name>/install, and ends with
# $(eval $(call BuildPackage,<name>)). `make package/<dir>/compile` downloads its source
# (scripts/download.sh, as for the toolchain: "*** [...: <dl>/<file>] Error 1" when it cannot),
# unpacks, configures, compiles and installs it into PKG_INSTALL_DIR, then Build/InstallDev stages
# its headers, libraries and .pc files into $(STAGING_DIR) (staging_dir/target-*), stamped in
# $(STAGING_DIR)/stamp/.<dir>_installed. As in the real tree, compile does NOTHING, and exits 0,
# when none of the package's binary packages is selected in .config (CONFIG_PACKAGE_<name>=y or m).
SHELL:=/usr/bin/env bash

PKG_BUILD_DIR?=$(BUILD_DIR)/$(PKG_NAME)-$(PKG_VERSION)
PKG_INSTALL_DIR?=$(PKG_BUILD_DIR)/ipkg-install
PKG_DIR_NAME:=$(lastword $(subst /, ,$(CURDIR)))
TMP_DIR:=$(TOPDIR)/tmp

STAMP_PREPARED:=$(PKG_BUILD_DIR)/.prepared
STAMP_CONFIGURED:=$(PKG_BUILD_DIR)/.configured
STAMP_BUILT:=$(PKG_BUILD_DIR)/.built
STAMP_INSTALLED:=$(STAGING_DIR)/stamp/.$(PKG_DIR_NAME)_installed

TARGET_CC:=$(TOOLCHAIN_DIR)/bin/$(REAL_GNU_TARGET_NAME)-gcc
TARGET_AR:=$(TOOLCHAIN_DIR)/bin/$(REAL_GNU_TARGET_NAME)-ar
TARGET_CFLAGS:=-Os -pipe
export STAGING_DIR

INSTALL_DIR:=install -d -m0755
INSTALL_DATA:=install -m0644
INSTALL_BIN:=install -m0755
CP:=cp -fpR
LN:=ln -sf

define Build/Configure
	cd $(PKG_BUILD_DIR) && CC="$(TARGET_CC)" AR="$(TARGET_AR)" CFLAGS="$(TARGET_CFLAGS)" \
		./configure --host=$(REAL_GNU_TARGET_NAME) --prefix=/usr
endef

define Build/Compile
	+$(MAKE) -C $(PKG_BUILD_DIR)
endef

define Build/Install
	+$(MAKE) -C $(PKG_BUILD_DIR) DESTDIR=$(PKG_INSTALL_DIR) install
endef

define BuildPackage
$(if $(filter y m,$(CONFIG_PACKAGE_$(1))),compile: $(STAMP_INSTALLED))
endef

$(DL_DIR)/$(PKG_SOURCE):
	@mkdir -p $(DL_DIR)
	$(SCRIPT_DIR)/download.sh "$(DL_DIR)" "$(PKG_SOURCE)" "$(PKG_HASH)" $(PKG_SOURCE_URL)

$(STAMP_PREPARED): $(DL_DIR)/$(PKG_SOURCE)
	rm -rf $(PKG_BUILD_DIR) && mkdir -p $(PKG_BUILD_DIR)
	tar -xzf $(DL_DIR)/$(PKG_SOURCE) -C $(PKG_BUILD_DIR) --strip-components=1
	touch $@

$(STAMP_CONFIGURED): $(STAMP_PREPARED)
	$(Build/Configure)
	touch $@

$(STAMP_BUILT): $(STAMP_CONFIGURED)
	$(Build/Compile)
	$(Build/Install)
	touch $@

$(STAMP_INSTALLED): $(STAMP_BUILT)
	rm -rf $(TMP_DIR)/stage-$(PKG_DIR_NAME)
	mkdir -p $(TMP_DIR)/stage-$(PKG_DIR_NAME)/host $(STAGING_DIR)/packages $(STAGING_DIR)/stamp
	$(call Build/InstallDev,$(TMP_DIR)/stage-$(PKG_DIR_NAME),$(TMP_DIR)/stage-$(PKG_DIR_NAME)/host)
	(cd $(TMP_DIR)/stage-$(PKG_DIR_NAME); find ./ > $(STAGING_DIR)/packages/$(PKG_DIR_NAME).list)
	# Under a lock, as the real tree stages (its `locked` helper in rules.mk): two packages built
	# with -j copying the same directories into staging_dir at once make cp fail ("File exists").
	flock $(TMP_DIR)/.staging-dir.flock $(CP) $(TMP_DIR)/stage-$(PKG_DIR_NAME)/* $(STAGING_DIR)/
	rm -rf $(TMP_DIR)/stage-$(PKG_DIR_NAME)
	touch $@

download: $(DL_DIR)/$(PKG_SOURCE)
prepare: $(STAMP_PREPARED)
compile:
clean:
	rm -rf $(PKG_BUILD_DIR) $(STAMP_INSTALLED)

.PHONY: download prepare compile clean
