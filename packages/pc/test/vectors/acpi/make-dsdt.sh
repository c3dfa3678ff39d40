#!/bin/sh
# Compiles dsdt.asl with iasl (Debian acpica-tools; without installing it:
# `apt-get download acpica-tools && dpkg-deb -x acpica-tools_*.deb x`, then IASL=x/usr/bin/iasl)
# into dsdt.aml, the oracle of test/acpi.test.ts, and disassembles the board's own DSDT and
# MADT into board-dsdt.dsl and board-apic.dsl for review.
set -eu
cd "$(dirname "$0")"
iasl=${IASL:-iasl}
"$iasl" -p dsdt dsdt.asl >/dev/null
(cd ../../.. && RINGVM_WRITE_ACPI=1 npx vitest run test/acpi.test.ts >/dev/null)
"$iasl" -d board-dsdt.aml >/dev/null 2>&1
"$iasl" -d board-apic.aml >/dev/null 2>&1
rm -f board-dsdt.aml board-apic.aml
