# The host checks of OpenWrt 24.10's include/prereq-build.mk that crossboard meets, in its
# format (include/prereq.mk): each check prints "Checking 'name'... ok." or "... failed." and a
# failure adds "Build dependency: <message>" to tmp/.prereq-error, printed at the end. The real
# tree checks ~40 things; these are the ones whose failures the tests make happen (a case-
# insensitive folder, a umask, a command off PATH), plus Debian's Kconfig, which only this
# miniature tree needs (the real one builds its own scripts/config/conf).

SHELL:=sh
PKG_NAME:=Build dependency

# 1: check name, 2: message, 3: test
define Check
prereq: prereq-$(1)
prereq-$(1):
	@printf "Checking '$(1)'... "; \
	if ( $(3) ) >/dev/null 2>&1; then echo 'ok.'; \
	else echo 'failed.'; echo "$(PKG_NAME): $(2)" >> $(TMP_DIR)/.prereq-error; fi
.NOTPARALLEL:
endef

$(eval $(call Check,case-sensitive-fs,OpenWrt can only be built on a case-sensitive filesystem, \
	rm -f $(TMP_DIR)/test.*; touch $(TMP_DIR)/test.fs; test ! -f $(TMP_DIR)/test.FS))
$(eval $(call Check,proper-umask,Please build with umask 022 - other values produce broken packages, \
	umask | grep -xE 0?0[012][012]))
$(eval $(call Check,awk,Please install GNU 'awk', gawk --version 2>&1 | grep GNU))
$(eval $(call Check,rsync,Please install 'rsync', rsync --version </dev/null))
$(eval $(call Check,kconfig-conf,Please install kconfig-frontends, command -v kconfig-conf))

prereq:
	@rm -f $(TMP_DIR)/test.*
	@if [ -f $(TMP_DIR)/.prereq-error ]; then echo; cat $(TMP_DIR)/.prereq-error; rm -f $(TMP_DIR)/.prereq-error; echo; false; fi
