define Device/8dev_carambola2
  DEVICE_VENDOR := 8devices
  DEVICE_MODEL := Carambola2
endef
TARGET_DEVICES += 8dev_carambola2

define Device/8dev_lima
  DEVICE_VENDOR := 8devices
  DEVICE_MODEL := Lima
endef
TARGET_DEVICES += 8dev_lima
