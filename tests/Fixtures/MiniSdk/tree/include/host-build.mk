# The download/prepare/compile/install steps every tools/ and toolchain/ package shares (the
# real include/host-build.mk and include/toolchain-build.mk in short). The download target is
# the file in dl/, so a failed download shows as "*** [...: <dl>/<file>] Error 1", as there.
PKG_BUILD_DIR:=$(BUILD_DIR_BASE)/$(BUILD_SUBDIR)/$(PKG_NAME)-$(PKG_VERSION)

$(DL_DIR)/$(PKG_SOURCE):
	@mkdir -p $(DL_DIR)
	$(SCRIPT_DIR)/download.sh "$(DL_DIR)" "$(PKG_SOURCE)" "$(PKG_HASH)" $(PKG_SOURCE_URL)

download: $(DL_DIR)/$(PKG_SOURCE)

prepare: $(DL_DIR)/$(PKG_SOURCE)
	rm -rf $(PKG_BUILD_DIR) && mkdir -p $(PKG_BUILD_DIR)
	tar -xzf $(DL_DIR)/$(PKG_SOURCE) -C $(PKG_BUILD_DIR) --strip-components=1

compile: prepare
	cd $(PKG_BUILD_DIR) && ./configure --target=$(REAL_GNU_TARGET_NAME) --prefix=$(TOOLCHAIN_DIR)

install: compile
	$(Package/Install)

.PHONY: download prepare compile install
