#!/usr/bin/env python3
"""Writes Tests/Fixtures/sysfs/buses/boot1 and boot2: one small machine with an hwmon chip on
every bus libsensors names (i2c, isa/platform, pci, spi, virtual, acpi, hid, mdio, scsi, plus
nvme, a thermal zone and a USB-C power supply reached through `device` links), seen in two boots.
boot2 renumbers every kernel instance counter (hwmonN, i2c adapters, SPI controller, USB buses,
HID instance, MDIO bus id, libata ports and SCSI hosts, nvme controller, thermal zones, platform
auto ids) as a reboot with another probe order does; physical paths and values stay. Links are
real relative symlinks in kernel style (`subsystem`, `driver`, `device`, `class/hwmon/hwmonN`).
Run it when the layout changes; the result is committed."""
import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "Tests" / "Fixtures" / "sysfs" / "buses"


def link(path, target):
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(target, path.parent), path)


class Tree:
    def __init__(self, root):
        self.root = root

    def device(self, path, subsystem=None, driver=None, bus_kind="bus", **files):
        directory = self.root / path
        directory.mkdir(parents=True, exist_ok=True)
        if subsystem:
            target = self.root / bus_kind / subsystem
            (target / "devices" if bus_kind == "bus" else target).mkdir(parents=True, exist_ok=True)
            link(directory / "subsystem", target)
        if driver:
            target = self.root / "bus" / subsystem / "drivers" / driver
            target.mkdir(parents=True, exist_ok=True)
            link(directory / "driver", target)
        for name, value in files.items():
            (directory / name).write_text(f"{value}\n")
        return directory

    def hwmon(self, number, parent, name, glue=True, **attributes):
        """An hwmonN class device under `parent` (None: devices/virtual/hwmon), its attributes."""
        base = (self.root / parent / "hwmon") if parent and glue else (self.root / parent if parent else self.root / "devices/virtual/hwmon")
        directory = base / f"hwmon{number}"
        directory.mkdir(parents=True)
        (directory / "name").write_text(f"{name}\n")
        for attribute, value in attributes.items():
            (directory / attribute).write_text(f"{value}\n")
        if parent:
            link(directory / "device", self.root / parent)
        (self.root / "class" / "hwmon").mkdir(parents=True, exist_ok=True)
        link(directory / "subsystem", self.root / "class" / "hwmon")
        link(self.root / "class" / "hwmon" / f"hwmon{number}", directory)


def build(boot):
    root = ROOT / f"boot{boot}"
    shutil.rmtree(root, ignore_errors=True)
    t = Tree(root)
    second = boot == 2
    # hwmonN: probe order differs per boot.
    order = ["lm75", "tmp102", "nct6798", "coretemp", "k10temp", "lm70", "vsensor", "power_meter", "acpitz",
             "corsaircpro", "mv88x3310", "disk0", "disk2", "ucsi", "nvme", "gpio_fan"]
    number = {chip: (len(order) - 1 - i if second else i) for i, chip in enumerate(order)}

    # I2C: two adapters of one SMBus controller; adapter numbers are handed out at probe time.
    smbus = "devices/pci0000:00/0000:00:1f.4"
    t.device(smbus, "pci", "i801_smbus", vendor="0x8086", device="0xa323")
    for index, (chip, label) in enumerate([("lm75", "lm75"), ("tmp102", "tmp102")]):
        adapter = (6 if second else 1) + index
        t.device(f"{smbus}/i2c-{adapter}", "i2c", name=f"SMBus I801 adapter {index}")
        client = t.device(f"{smbus}/i2c-{adapter}/{adapter}-0048", "i2c", label, name=label)
        t.hwmon(number[chip], client.relative_to(root), label, temp1_input=31000 + index * 1000, temp1_max=80000)

    # ISA / platform: a Super-I/O chip at I/O port 0x290 (limits of 0 = unset) and coretemp.
    nct = t.device("devices/platform/nct6775.656", "platform", "nct6775")
    t.hwmon(number["nct6798"], nct.relative_to(root), "nct6798", in4_input=1024, in4_min=0, in4_max=0,
            temp3_input=31000, temp3_label="  AUXTIN0   ", temp3_max=0, temp1_input=34000, temp1_label="SYSTIN", temp1_max=80000)
    core = t.device("devices/platform/coretemp.0", "platform", "coretemp")
    t.hwmon(number["coretemp"], core.relative_to(root), "coretemp", temp1_input=41000, temp1_label="Package id 0", temp1_crit=100000)

    # PCI: stable addresses.
    k10 = t.device("devices/pci0000:00/0000:00:18.3", "pci", "k10temp", vendor="0x1022", device="0x1650")
    t.hwmon(number["k10temp"], k10.relative_to(root), "k10temp", temp1_input=45000, temp1_label="Tctl")

    # SPI: controller numbers are dynamic; the chip select is not.
    spi = 3 if second else 0
    t.device("devices/platform/soc/fe204000.spi", "platform", "spi-bcm2835")
    t.device(f"devices/platform/soc/fe204000.spi/spi_master/spi{spi}", "spi_master", bus_kind="class")
    lm70 = t.device(f"devices/platform/soc/fe204000.spi/spi_master/spi{spi}/spi{spi}.1", "spi", "lm70")
    t.hwmon(number["lm70"], lm70.relative_to(root), "lm70", temp1_input=29500)

    # Virtual: no device link at all.
    t.hwmon(number["vsensor"], None, "vsensor", temp1_input=40000)

    # ACPI: a legacy-free power meter, and a thermal zone whose `device` is an ACPI node.
    meter = t.device("devices/LNXSYSTM:00/LNXSYBUS:00/ACPI000D:00", "acpi", "power_meter")
    t.hwmon(number["power_meter"], meter.relative_to(root), "power_meter", power1_average=231000000)
    lnxtherm = t.device("devices/LNXSYSTM:00/LNXSYBUS:00/LNXTHERM:00", "acpi")
    zones = ["iwlwifi_1", "x86_pkg_temp", "acpitz"] if second else ["acpitz", "x86_pkg_temp", "iwlwifi_1"]
    for index, kind in enumerate(zones):
        zone = t.device(f"devices/virtual/thermal/thermal_zone{index}", "thermal", bus_kind="class", type=kind, temp=27800)
        if kind == "acpitz":
            link(zone / "device", lnxtherm)
            t.hwmon(number["acpitz"], zone.relative_to(root), "acpitz", glue=False, temp1_input=27800, temp1_crit=119000)

    # HID on USB: bus numbers and the HID instance count up per boot; ports do not.
    xhci = "devices/pci0000:00/0000:00:14.0"
    t.device(xhci, "pci", "xhci_hcd")
    first_bus = 3 if second else 1
    for offset in (0, 1):
        t.device(f"{xhci}/usb{first_bus + offset}", "usb", "usb")
    usb = f"{xhci}/usb{first_bus}/{first_bus}-2"
    t.device(usb, "usb", "usb")
    t.device(f"{usb}/{first_bus}-2:1.0", "usb", "usbhid")
    hid = t.device(f"{usb}/{first_bus}-2:1.0/0003:1B1C:0C10.{'000A' if second else '0007'}", "hid", "corsair-cpro")
    t.hwmon(number["corsaircpro"], hid.relative_to(root), "corsaircpro", fan1_input=1200, temp1_input=30000)

    # MDIO: the bus id comes from the driver instance; the PHY address does not.
    mac = "devices/platform/soc/fe300000.ethernet"
    t.device(mac, "platform", "stmmaceth")
    bus = f"stmmac-{1 if second else 0}"
    t.device(f"{mac}/mdio_bus/{bus}", "mdio_bus", bus_kind="class")
    phy = t.device(f"{mac}/mdio_bus/{bus}/{bus}:01", "mdio_bus", "mv88x3310")
    t.hwmon(number["mv88x3310"], phy.relative_to(root), "mv88x3310", temp1_input=52000)

    # SCSI: two SATA disks (ports 1 and 3 of one AHCI controller) through drivetemp; libata
    # port and SCSI host numbers are global counters.
    ahci = "devices/pci0000:00/0000:00:17.0"
    t.device(ahci, "pci", "ahci")
    first_port = 7 if second else 1
    for port in range(4):
        t.device(f"{ahci}/ata{first_port + port}")
    for chip, port in (("disk0", 0), ("disk2", 2)):
        host = first_port - 1 + port
        directory = f"{ahci}/ata{first_port + port}/host{host}"
        t.device(directory, "scsi")
        t.device(f"{directory}/target{host}:0:0", "scsi")
        disk = t.device(f"{directory}/target{host}:0:0/{host}:0:0:0", "scsi", "sd", model=f"DISK {port}")
        t.hwmon(number[chip], disk.relative_to(root), "drivetemp", temp1_input=35000 + port * 1000, temp1_min=0,
                temp1_lcrit=-40000, temp1_max=70000, temp1_crit=80000, temp1_lowest=20000, temp1_highest=45000)

    # A USB-C port's power supply (ucsi_acpi): the hwmon parent is a power_supply class device
    # whose `device` is the platform device USBC000:00; the name keeps its colon.
    usbc = t.device("devices/platform/USBC000:00", "platform", "ucsi_acpi")
    psy = t.device("devices/platform/USBC000:00/power_supply/ucsi-source-psy-USBC000:001", "power_supply", bus_kind="class")
    link(psy / "device", usbc)
    t.hwmon(number["ucsi"], psy.relative_to(root), "ucsi_source_psy_USBC000:001", glue=False, in0_input=5000, curr1_input=3000)

    # NVMe: the controller index nvmeN is a counter; the PCI function is not.
    nvme_pci = t.device("devices/pci0000:00/0000:00:1d.0/0000:3d:00.0", "pci", "nvme", vendor="0x144d")
    controller = t.device(f"devices/pci0000:00/0000:00:1d.0/0000:3d:00.0/nvme/nvme{1 if second else 0}", "nvme", bus_kind="class")
    link(controller / "device", nvme_pci)
    t.hwmon(number["nvme"], controller.relative_to(root), "nvme", glue=False, temp1_input=43850, temp1_label="Composite",
            temp1_max=84850, temp1_min=-273150)

    # Platform auto id (PLATFORM_DEVID_AUTO): handed out in registration order.
    fan = t.device(f"devices/platform/gpio-fan.{4 if second else 0}.auto", "platform", "gpio-fan")
    t.hwmon(number["gpio_fan"], fan.relative_to(root), "gpio_fan", fan1_input=3000, fan1_target=3000)


def fill_empty_directories(root):
    """Git keeps no empty directory, so a fresh clone would lose an empty port and renumber its
    siblings; every device and driver directory in sysfs has a `uevent` file, so each gets one."""
    for directory, subdirectories, files in os.walk(root):
        if not subdirectories and not files:
            (Path(directory) / "uevent").write_text("")


if __name__ == "__main__":
    for boot in (1, 2):
        build(boot)
        fill_empty_directories(ROOT / f"boot{boot}")
    print(f"wrote {ROOT}/boot1 and boot2")
