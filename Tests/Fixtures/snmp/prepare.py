#!/usr/bin/env python3
"""Lays out snmpsim's data directory for the SNMP plugin's tests and benchmarks:
  prepare.py DIR
writes DIR/<name>.snmprec for each recording of real devices the tests use (from the pinned
snmpsim-data package), the community (v2c) or context (v3) that selects it being <name>:
  eaton-93e-80   UPS-MIB (RFC 1628), Eaton 93E UPS
  apc-8641       PowerNet-MIB rPDU2, APC AP8641 PDU, 24 outlets
  apc-8641-rw    the same PDU with its outlet control column (rPDU2OutletSwitchedControlCommand)
                 writable (snmpsim's writecache variation), for the outlet-switching tests
  geist          GEIST-V4-MIB, Geist Watchdog 15 climate monitor
  geist-f        the same set to Fahrenheit (temperatureUnits.0 = 0), its internal temperature
                 held at 770 (77.0 °F, 25 °C), for the unit conversion tests
  paloalto       ENTITY-SENSOR-MIB (RFC 3433), Palo Alto PA-5000
"""
import bz2
import pathlib
import sys

import snmpsim_data

RECORDINGS = {
    "eaton-93e-80": "UPS/eaton-93e-80.snmprec.bz2",
    "apc-8641": "UPS/apc-8641.snmprec",
    "geist": "iot/geist-temperature-sensor.snmprec",
    "paloalto": "network/firewall/paloalto-pa-5000.snmprec.bz2",
}
OUTLET_CONTROL = "1.3.6.1.4.1.318.1.1.26.9.2.4.1.5."


def text(relative: str) -> str:
    path = pathlib.Path(snmpsim_data.__file__).parent / "data" / relative
    data = path.read_bytes()
    return (bz2.decompress(data) if relative.endswith(".bz2") else data).decode()


def writable(recording: str) -> str:
    lines = []
    for line in recording.splitlines():
        oid, kind, value = line.split("|", 2)
        if oid.startswith(OUTLET_CONTROL) and kind == "2":
            line = f"{oid}|2:writecache|value={value}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def fahrenheit(recording: str) -> str:
    lines = []
    for line in recording.splitlines():
        oid = line.split("|", 1)[0]
        if oid == "1.3.6.1.4.1.21239.5.1.1.7.0":
            line = f"{oid}|2|0"
        elif oid == "1.3.6.1.4.1.21239.5.1.2.1.5.1":
            line = f"{oid}|2|770"
        lines.append(line)
    return "\n".join(lines) + "\n"


def main(directory: str) -> None:
    target = pathlib.Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, relative in RECORDINGS.items():
        (target / f"{name}.snmprec").write_text(text(relative))
    (target / "apc-8641-rw.snmprec").write_text(writable(text(RECORDINGS["apc-8641"])))
    (target / "geist-f.snmprec").write_text(fahrenheit(text(RECORDINGS["geist"])))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
