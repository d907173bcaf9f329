define Device/asus_rt-ac57u
  DEVICE_VENDOR := ASUS
  DEVICE_MODEL := RT-AC57U
endef
TARGET_DEVICES += asus_rt-ac57u

define Device/xiaomi_mi-router-4a-gigabit
  DEVICE_VENDOR := Xiaomi
  DEVICE_MODEL := Mi Router 4A
endef
TARGET_DEVICES += xiaomi_mi-router-4a-gigabit
