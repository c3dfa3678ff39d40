; RingVM external-interrupt test (issue 5); no QEMU oracle (QEMU cannot raise INTR on demand),
; expectations in ../../guest.test.ts come from the SDM. The INTR line is a mailbox byte at
; physical 4F0h (test machine's MailboxInterrupts). Checks: STI shadow (sti; cli takes none,
; sti; nop takes one after the NOP), HLT wake-up, an external interrupt through a not-present
; gate (#NP with EXT=1), and external interrupts from CPL 3 and v8086 mode through a DPL-0 gate.

%include "common.nasm"
NVEC            equ 0x48

        REAL_ENTRY

        GDTR_IDTR

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0
        dq 0x00CFFB000000FFFF                   ; 18 code, ring 3
        dq 0x00CFF3000000FFFF                   ; 20 data, ring 3
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 28 TSS1
gdt_end:

v86_code:
        mov     eax, 0x86
        mov     byte [0x4F0], 0x40
        nop
        hlt

        bits    32




        PRINT32_ROUTINE


pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, 0x9000
        mov     byte [0x4F0], 0
        IDT_STUBS
        mov     byte [0x2000+0x41*8+5], 0x0E    ; 41: not present
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x68/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     word [0x3066], 0x68
        mov     ax, 0x28
        ltr     ax

        PUTC    'a'
        mov     byte [0x4F0], 0x40
        sti
        cli                                     ; the STI shadow covers CLI: nothing taken
        PUTC    'b'
        PUTC    10
        SETRESUME .a2
        sti
        nop                                     ; taken after this NOP
.a2:    SETRESUME .d1
        mov     byte [0x4F0], 0x40
        mov     eax, 0xD1
        sti
        hlt                                     ; wakes, taken with EIP after HLT
.d1:    SETRESUME .c1
        mov     byte [0x4F0], 0x41
        mov     eax, 0xC1
        sti
        nop                                     ; #NP(41h*8+2+EXT)
.c1:    cli
        mov     byte [0x4F0], 0
        SETRESUME .r3
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0202                    ; IF=1, IOPL 0
        push    dword 0x1B
        push    dword r3_code
        iretd
.r3:    SETRESUME .v86
        push    dword 0
        push    dword 0
        push    dword 0
        push    dword 0
        push    dword 0
        push    dword 0x7000
        push    dword 0x20202                   ; VM, IF, IOPL 0
        push    dword 0xF000
        push    dword R(v86_code)
        iretd
.v86:   mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

r3_code:
        mov     ax, 0x23
        mov     ds, ax
        mov     eax, 0x33
        mov     byte [0x4F0], 0x40              ; taken after this store: DPL-0 gate, no check
        nop
        hlt

        STUB_TABLE

; prints E vector error EIP CS EFLAGS(VM,NT,IOPL,IF) EAX [CR2] [ESP SS] [ES DS FS GS], resumes
exc_common:
        pushad
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        PUTC    'E'
        PRINT   [esp+32]
        PRINT   [esp+36]
        PRINT   [esp+40]
        mov     eax, [esp+44]
        and     eax, 0xFFFF
        call    print32
        mov     eax, [esp+48]
        and     eax, 0x27200
        call    print32
        PRINT   [esp+28]
        cmp     dword [esp+32], 14
        jne     .nopf
        mov     eax, cr2
        call    print32
.nopf:  test    dword [esp+48], 0x20000
        jnz     .v86
        test    byte [esp+44], 3
        jz      .done
        PRINT   [esp+52]
        mov     eax, [esp+56]
        and     eax, 0xFFFF
        call    print32
        jmp     .done
.v86:   PRINT   [esp+52]
%assign o 56
%rep 5
        mov     eax, [esp+o]
        and     eax, 0xFFFF
        call    print32
%assign o o+4
%endrep
.done:  PUTC    10
        mov     ax, 0x10
        mov     ss, ax
        mov     esp, [RESUME_ESP]
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        jmp     [RESUME_EIP]




        RESET_VECTOR
