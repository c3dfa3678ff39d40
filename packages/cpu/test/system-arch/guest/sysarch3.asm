; RingVM system-architecture guest test 3 (issue 5): the error codes of faults raised by
; interrupt delivery and far transfers (SDM vol. 2 INT n/CALL/JMP/RET/IRET/LTR/LLDT "Protected
; Mode Exceptions"; vol. 3, 6.13 error codes). Same conventions as sysarch.asm.

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
        db 0, 0x89, 0, 0                        ; 30 TSS2 (available)
        dq 0x00CFBB000000FFFF                   ; 38 code, ring 1
        dw 0xFFFF, 0
        db 0x0F, 0x9B, 0, 0                     ; 40 16-bit code, base F0000, limit FFFF
        dw 0xFFFF, 0
        db 0, 0x1B, 0xCF, 0                     ; 48 code, not present
        dw LIN(r0_target) & 0xFFFF, 0x08
        db 0, 0xEC
        dw LIN(r0_target) >> 16                 ; 50 call gate DPL 3 -> 08 (ring 0)
        dw LIN(r0_target) & 0xFFFF, 0x08
        db 0, 0x8C
        dw LIN(r0_target) >> 16                 ; 58 call gate DPL 0
        dw 0x0F, 0x3400
        db 0, 0x82, 0, 0                        ; 60 LDT
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
        mov     word [0x2000+0x32*8+4], 0xEE00  ; 32: DPL 3 exit gate
        mov     byte [0x2000+0x36*8+5], 0x0E    ; 36: not present
        mov     byte [0x2000+0x37*8+5], 0x81    ; 37: a TSS type in the IDT
        mov     word [0x2000+0x38*8+2], 0x10    ; 38: gate selector is data
        mov     word [0x2000+0x3A*8+2], 0       ; 3A: null gate selector
        mov     word [0x2000+0x39*8+2], 0x39    ; 39: DPL 3 gate -> ring-1 code (needs TSS.SS1)
        mov     word [0x2000+0x39*8+4], 0xEE00
        mov     word [0x2000+0x3B*8+2], 0x48    ; 3B: gate -> not-present code
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x600/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     dword [0x300C], 0x8000          ; ESP1
        mov     dword [0x3010], 0x21            ; SS1: RPL 1 but DPL 3 -> #TS
        mov     word [0x3066], 0x68
        mov     dword [0x3120], r0_target
        mov     dword [0x3124], 2
        mov     dword [0x3138], 0x6000
        mov     dword [0x314C], 0x08
        mov     dword [0x3150], 0x10
        mov     word [0x3166], 0x68
        mov     ax, 0x28
        ltr     ax

        PUTC    'i'
        PUTC    10
        SETRESUME .i1
        int     0x36                            ; #NP(36*8+2)
.i1:    SETRESUME .i2
        int     0x37                            ; #GP(37*8+2)
.i2:    SETRESUME .i3
        int     0x38                            ; #GP(10)
.i3:    SETRESUME .i4
        int     0x3A                            ; #GP(0)
.i4:    SETRESUME .i5
        int     0x3B                            ; #NP(48)
.i5:    TO_R3   r3_int_ring1                    ; #TS(20) from the TSS.SS1 check

        PUTC    'j'
        PUTC    10
        SETRESUME .j1
        jmp     0:0                             ; null selector: #GP(0)
.j1:    SETRESUME .j2
        call    0x10:0                          ; data segment: #GP(10)
.j2:    SETRESUME .j3
        call    0x48:0                          ; not present: #NP(48)
.j3:    SETRESUME .j4
        jmp     0x40:0x12345                    ; beyond the CS limit: #GP(0)
.j4:    SETRESUME .j5
        xor     ax, ax
        mov     ss, ax                          ; null SS: #GP(0)
.j5:    SETRESUME .j6
        mov     ax, 0x28
        ltr     ax                              ; busy TSS: #GP(28)
.j6:    SETRESUME .j7
        mov     ax, 0x10
        ltr     ax                              ; not a TSS: #GP(10)
.j7:    SETRESUME .j8
        mov     ax, 0x28
        lldt    ax                              ; not an LDT: #GP(28)
.j8:    SETRESUME .j9
        mov     word [0x3000], 0x30             ; back link -> TSS2, which is not busy
        pushfd
        or      dword [esp], 0x4000
        popfd
        iretd                                   ; #TS(30)
.j9:    TO_R3   r3_jmp_gate                     ; JMP through a gate to ring 0: #GP(08)
        TO_R3   r3_call_gate_dpl                ; gate DPL 0 < CPL 3: #GP(58)
        TO_R3   r3_retf                         ; RETF to RPL 0 from CPL 3: #GP(08)
        TO_R3   r3_iret                         ; IRET to a DPL-0 CS with RPL 3: #GP(08)
        TO_R3   r3_call_gate                    ; a working call gate for contrast

        ; --- #GP through a task gate: the error code goes on the new task's stack (SDM vol. 3,
        ;     6.12.2); the handler task sets task 1's saved EIP past the fault, then IRETs
        PUTC    'k'
        mov     dword [0x3120], gp_task
        mov     dword [0x3154], 0x10
        mov     dword [0x3148], 0x10
        mov     dword [0x2000+13*8], 0x00300000
        mov     dword [0x2000+13*8+4], 0x00008500
        mov     ax, 0x400
        mov     ds, ax                          ; #GP(400) -> task 2
.k1:    mov     ax, 0x10
        mov     ds, ax
        str     ax
        movzx   eax, ax
        call    print32
        pushfd
        pop     eax
        and     eax, 0x4000
        call    print32
        movzx   eax, byte [0x1000+0x30+5]
        call    print32
        PUTC    10
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

r0_target:
        PUTC    'G'
        mov     eax, cs
        call    print32
        PRINT   [esp+4]
        PUTC    10
        mov     ax, 0x10
        mov     ss, ax
        mov     ds, ax                          ; nulled by the IRET to ring 3
        mov     esp, [RESUME_ESP]
        jmp     [RESUME_EIP]

gp_task:
        PUTC    'K'
        pop     eax                             ; the error code
        call    print32
        mov     eax, esp
        call    print32
        movzx   eax, word [0x3100]              ; back link
        call    print32
        pushfd
        pop     eax
        and     eax, 0x4000
        call    print32
        mov     dword [0x3020], pm32.k1         ; resume task 1 after the fault
        iretd
        jmp     gp_task

r3_int_ring1:
        int     0x39
r3_jmp_gate:
        jmp     0x53:0
r3_call_gate_dpl:
        call    0x5B:0
r3_retf:
        push    dword 0x08
        push    dword r3_retf
        retf
r3_iret:
        pushfd
        pop     eax
        push    dword 0x23
        push    esp
        push    eax
        push    dword 0x0B
        push    dword r3_iret
        iretd
r3_call_gate:
        call    0x53:0

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
