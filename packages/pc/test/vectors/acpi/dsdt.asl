/*
 * The DSDT RingVM's board builds for a direct Linux boot with 128 MiB of RAM (PCI memory
 * window from 0x08000000) and PIRQA#-PIRQD# routed to IRQ 10, 10, 11, 11: written by hand
 * from the ACPI 6.4 specification (6.1.5 _HID, 6.2.13 _PRT, 6.4 resource descriptors) and
 * compiled by iasl (ACPICA 20200925, Debian acpica-tools) into dsdt.aml, the oracle
 * packages/pc/test/acpi.test.ts compares the board's AML with. Regenerate: ./make-dsdt.sh
 */
DefinitionBlock ("", "DSDT", 1, "RINGVM", "RINGVMPC", 0x00000001)
{
    Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero })
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000, 0x0000, 0x00FF, 0x0000, 0x0100,,,)
                IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08,)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8,,,, TypeStatic, DenseTranslation)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300,,,, TypeStatic, DenseTranslation)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000,,,, AddressRangeMemory, TypeStatic)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000, 0x08000000, 0xFEBFFFFF, 0x00000000, 0xF6C00000,,,, AddressRangeMemory, TypeStatic)
            })
            Name (_PRT, Package ()
            {
                Package () { 0x0000FFFF, 0, Zero, 11 },
                Package () { 0x0000FFFF, 1, Zero, 10 },
                Package () { 0x0000FFFF, 2, Zero, 10 },
                Package () { 0x0000FFFF, 3, Zero, 11 },
                Package () { 0x0001FFFF, 0, Zero, 10 },
                Package () { 0x0001FFFF, 1, Zero, 10 },
                Package () { 0x0001FFFF, 2, Zero, 11 },
                Package () { 0x0001FFFF, 3, Zero, 11 },
                Package () { 0x0002FFFF, 0, Zero, 10 },
                Package () { 0x0002FFFF, 1, Zero, 11 },
                Package () { 0x0002FFFF, 2, Zero, 11 },
                Package () { 0x0002FFFF, 3, Zero, 10 },
                Package () { 0x0003FFFF, 0, Zero, 11 },
                Package () { 0x0003FFFF, 1, Zero, 11 },
                Package () { 0x0003FFFF, 2, Zero, 10 },
                Package () { 0x0003FFFF, 3, Zero, 10 },
                Package () { 0x0004FFFF, 0, Zero, 11 },
                Package () { 0x0004FFFF, 1, Zero, 10 },
                Package () { 0x0004FFFF, 2, Zero, 10 },
                Package () { 0x0004FFFF, 3, Zero, 11 },
                Package () { 0x0005FFFF, 0, Zero, 10 },
                Package () { 0x0005FFFF, 1, Zero, 10 },
                Package () { 0x0005FFFF, 2, Zero, 11 },
                Package () { 0x0005FFFF, 3, Zero, 11 },
                Package () { 0x0006FFFF, 0, Zero, 10 },
                Package () { 0x0006FFFF, 1, Zero, 11 },
                Package () { 0x0006FFFF, 2, Zero, 11 },
                Package () { 0x0006FFFF, 3, Zero, 10 },
                Package () { 0x0007FFFF, 0, Zero, 11 },
                Package () { 0x0007FFFF, 1, Zero, 11 },
                Package () { 0x0007FFFF, 2, Zero, 10 },
                Package () { 0x0007FFFF, 3, Zero, 10 },
                Package () { 0x0008FFFF, 0, Zero, 11 },
                Package () { 0x0008FFFF, 1, Zero, 10 },
                Package () { 0x0008FFFF, 2, Zero, 10 },
                Package () { 0x0008FFFF, 3, Zero, 11 },
                Package () { 0x0009FFFF, 0, Zero, 10 },
                Package () { 0x0009FFFF, 1, Zero, 10 },
                Package () { 0x0009FFFF, 2, Zero, 11 },
                Package () { 0x0009FFFF, 3, Zero, 11 },
                Package () { 0x000AFFFF, 0, Zero, 10 },
                Package () { 0x000AFFFF, 1, Zero, 11 },
                Package () { 0x000AFFFF, 2, Zero, 11 },
                Package () { 0x000AFFFF, 3, Zero, 10 },
                Package () { 0x000BFFFF, 0, Zero, 11 },
                Package () { 0x000BFFFF, 1, Zero, 11 },
                Package () { 0x000BFFFF, 2, Zero, 10 },
                Package () { 0x000BFFFF, 3, Zero, 10 },
                Package () { 0x000CFFFF, 0, Zero, 11 },
                Package () { 0x000CFFFF, 1, Zero, 10 },
                Package () { 0x000CFFFF, 2, Zero, 10 },
                Package () { 0x000CFFFF, 3, Zero, 11 },
                Package () { 0x000DFFFF, 0, Zero, 10 },
                Package () { 0x000DFFFF, 1, Zero, 10 },
                Package () { 0x000DFFFF, 2, Zero, 11 },
                Package () { 0x000DFFFF, 3, Zero, 11 },
                Package () { 0x000EFFFF, 0, Zero, 10 },
                Package () { 0x000EFFFF, 1, Zero, 11 },
                Package () { 0x000EFFFF, 2, Zero, 11 },
                Package () { 0x000EFFFF, 3, Zero, 10 },
                Package () { 0x000FFFFF, 0, Zero, 11 },
                Package () { 0x000FFFFF, 1, Zero, 11 },
                Package () { 0x000FFFFF, 2, Zero, 10 },
                Package () { 0x000FFFFF, 3, Zero, 10 },
                Package () { 0x0010FFFF, 0, Zero, 11 },
                Package () { 0x0010FFFF, 1, Zero, 10 },
                Package () { 0x0010FFFF, 2, Zero, 10 },
                Package () { 0x0010FFFF, 3, Zero, 11 },
                Package () { 0x0011FFFF, 0, Zero, 10 },
                Package () { 0x0011FFFF, 1, Zero, 10 },
                Package () { 0x0011FFFF, 2, Zero, 11 },
                Package () { 0x0011FFFF, 3, Zero, 11 },
                Package () { 0x0012FFFF, 0, Zero, 10 },
                Package () { 0x0012FFFF, 1, Zero, 11 },
                Package () { 0x0012FFFF, 2, Zero, 11 },
                Package () { 0x0012FFFF, 3, Zero, 10 },
                Package () { 0x0013FFFF, 0, Zero, 11 },
                Package () { 0x0013FFFF, 1, Zero, 11 },
                Package () { 0x0013FFFF, 2, Zero, 10 },
                Package () { 0x0013FFFF, 3, Zero, 10 },
                Package () { 0x0014FFFF, 0, Zero, 11 },
                Package () { 0x0014FFFF, 1, Zero, 10 },
                Package () { 0x0014FFFF, 2, Zero, 10 },
                Package () { 0x0014FFFF, 3, Zero, 11 },
                Package () { 0x0015FFFF, 0, Zero, 10 },
                Package () { 0x0015FFFF, 1, Zero, 10 },
                Package () { 0x0015FFFF, 2, Zero, 11 },
                Package () { 0x0015FFFF, 3, Zero, 11 },
                Package () { 0x0016FFFF, 0, Zero, 10 },
                Package () { 0x0016FFFF, 1, Zero, 11 },
                Package () { 0x0016FFFF, 2, Zero, 11 },
                Package () { 0x0016FFFF, 3, Zero, 10 },
                Package () { 0x0017FFFF, 0, Zero, 11 },
                Package () { 0x0017FFFF, 1, Zero, 11 },
                Package () { 0x0017FFFF, 2, Zero, 10 },
                Package () { 0x0017FFFF, 3, Zero, 10 },
                Package () { 0x0018FFFF, 0, Zero, 11 },
                Package () { 0x0018FFFF, 1, Zero, 10 },
                Package () { 0x0018FFFF, 2, Zero, 10 },
                Package () { 0x0018FFFF, 3, Zero, 11 },
                Package () { 0x0019FFFF, 0, Zero, 10 },
                Package () { 0x0019FFFF, 1, Zero, 10 },
                Package () { 0x0019FFFF, 2, Zero, 11 },
                Package () { 0x0019FFFF, 3, Zero, 11 },
                Package () { 0x001AFFFF, 0, Zero, 10 },
                Package () { 0x001AFFFF, 1, Zero, 11 },
                Package () { 0x001AFFFF, 2, Zero, 11 },
                Package () { 0x001AFFFF, 3, Zero, 10 },
                Package () { 0x001BFFFF, 0, Zero, 11 },
                Package () { 0x001BFFFF, 1, Zero, 11 },
                Package () { 0x001BFFFF, 2, Zero, 10 },
                Package () { 0x001BFFFF, 3, Zero, 10 },
                Package () { 0x001CFFFF, 0, Zero, 11 },
                Package () { 0x001CFFFF, 1, Zero, 10 },
                Package () { 0x001CFFFF, 2, Zero, 10 },
                Package () { 0x001CFFFF, 3, Zero, 11 },
                Package () { 0x001DFFFF, 0, Zero, 10 },
                Package () { 0x001DFFFF, 1, Zero, 10 },
                Package () { 0x001DFFFF, 2, Zero, 11 },
                Package () { 0x001DFFFF, 3, Zero, 11 },
                Package () { 0x001EFFFF, 0, Zero, 10 },
                Package () { 0x001EFFFF, 1, Zero, 11 },
                Package () { 0x001EFFFF, 2, Zero, 11 },
                Package () { 0x001EFFFF, 3, Zero, 10 },
                Package () { 0x001FFFFF, 0, Zero, 11 },
                Package () { 0x001FFFFF, 1, Zero, 11 },
                Package () { 0x001FFFFF, 2, Zero, 10 },
                Package () { 0x001FFFFF, 3, Zero, 10 }
            })
            Device (ISA)
            {
                Name (_ADR, 0x00010000)
            }
            Device (IDE)
            {
                Name (_ADR, 0x00010001)
            }
        }
    }
}
