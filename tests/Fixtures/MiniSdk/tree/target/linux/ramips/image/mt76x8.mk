# A template, not a device: only TARGET_DEVICES makes a device (as in the real mt76x8.mk).
define Device/7links_wlr-12xx
  DEVICE_VENDOR := 7Links
endef

define Device/7links_wlr-1230
  $(Device/7links_wlr-12xx)
  DEVICE_VENDOR := 7Links
  DEVICE_MODEL := WLR-1230
endef
TARGET_DEVICES += 7links_wlr-1230

define Device/onion_omega2
  IMAGE_SIZE := 16064k
  DEVICE_VENDOR := Onion
  DEVICE_MODEL := Omega2
endef
TARGET_DEVICES += onion_omega2

define Device/onion_omega2p
  IMAGE_SIZE := 32448k
  DEVICE_VENDOR := Onion
  DEVICE_MODEL := Omega2+
endef
TARGET_DEVICES += onion_omega2p

define Device/vocore_vocore2
  DEVICE_VENDOR := VoCore
  DEVICE_MODEL := VoCore2
endef
TARGET_DEVICES += vocore_vocore2
