; RingVM TSS debug-trap test (issue 5); expectations from the SDM (vol. 3, 17.3.1.5: with the
; T flag of the new TSS set, a #DB trap with DR6.BT is taken after the task switch, before the
; new task's first instruction). QEMU does not implement the T flag.

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
        dw 0x67, 0x3100
        db 0, 0x89, 0, 0                        ; 30 TSS2, T flag set
gdt_end:

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
        IDT_STUBS
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x200/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     word [0x3066], 0x68
        mov     dword [0x3120], task2
        mov     dword [0x3124], 2
        mov     dword [0x3128], 0x7777          ; EAX of task 2
        mov     dword [0x3138], 0x6000
        mov     dword [0x3148], 0x10
        mov     dword [0x314C], 0x08
        mov     dword [0x3150], 0x10
        mov     dword [0x3154], 0x10
        mov     word [0x3164], 1                ; T flag
        mov     word [0x3166], 0x68
        mov     ax, 0x28
        ltr     ax
        xor     eax, eax
        mov     dr6, eax
        SETRESUME .after
        jmp     0x30:0                          ; #DB trap at task 2's first instruction
.after: mov     eax, dr6
        and     eax, 0xF00F
        call    print32
        str     ax
        movzx   eax, ax
        call    print32
        PUTC    10
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

task2:
        PUTC    'X'                             ; not reached before the trap
        jmp     pm32.after

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
