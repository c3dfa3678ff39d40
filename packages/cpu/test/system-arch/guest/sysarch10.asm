; RingVM system-architecture guest test 10 (issue 5): with paging on and the GDT, IDT, TSS,
; ring-0 stack and handler data in supervisor-only pages, ring-3 code takes interrupts and
; faults, loads segments, uses a call gate, LAR/VERR and IRET/RETF back: descriptor-table and
; TSS accesses are implicit supervisor accesses (SDM vol. 3, 4.6.1), never user ones.

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
        dw LIN(cg_target) & 0xFFFF, 0x08
        db 1, 0xEC
        dw LIN(cg_target) >> 16                 ; 30 call gate DPL 3, 1 parameter
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
        mov     word [0x2000+0x32*8+4], 0xEE00  ; 32: DPL 3
        mov     word [0x2000+0x33*8+4], 0xEE00  ; 33: DPL 3, handler IRETs back
        mov     eax, handler_iret
        mov     [0x2000+0x33*8], ax
        shr     eax, 16
        mov     [0x2000+0x33*8+6], ax
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
        ; paging: identity 0-4 MiB, user pages except 0-9FFFh (IVT, RESUME, GDT, IDT, TSS,
        ; ring-0 stack) which are supervisor-only; the ring-3 stack page 7000h is user
        mov     edi, 0x20000
        xor     eax, eax
        mov     ecx, 1024
        rep stosd
        mov     dword [0x20000], 0x21007
        mov     edi, 0x21000
        mov     eax, 7
        mov     ecx, 1024
.pt:    stosd
        add     eax, 0x1000
        loop    .pt
        mov     edi, 0x21000
        mov     ecx, 10
.sup:   and     dword [edi], ~4
        add     edi, 4
        loop    .sup
        or      dword [0x21000 + 7*4], 4
        mov     eax, 0x20000
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80010000                 ; PG, WP
        mov     cr0, eax
        PUTC    'u'
        PUTC    10
        TO_R3   r3_int
        TO_R3   r3_fault
        TO_R3   r3_touch
        TO_R3   r3_gate
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

handler_iret:
        iretd

cg_target:                                      ; ring 0 through the gate: report and RETF
        mov     eax, [esp+8]                    ; the copied parameter
        mov     ebx, cs
        int     0x32

r3_int:
        mov     ax, 0x23                        ; GDT read at CPL 3
        mov     ds, ax
        mov     es, ax
        int     0x33                            ; IDT, TSS and ring-0 stack; IRET reads the GDT
        lar     eax, [cs:lar_sel]
        pushfd
        pop     ebx
        and     ebx, 0x40
        shl     ebx, 16
        or      eax, ebx
        int     0x32
r3_fault:
        mov     ax, 0x23
        mov     ds, ax
        mov     eax, [0x3000]                   ; user read of a supervisor page: #PF(5)
r3_touch:
        mov     ax, 0x23
        mov     ds, ax
        mov     dword [0x7E00], 0x12345678      ; the user stack page is writable
        mov     eax, [0x7E00]
        verr    word [cs:lar_sel]
        pushfd
        pop     ebx
        int     0x32
r3_gate:
        push    dword 0xC0DE
        call    0x33:0
lar_sel: dw 0x23

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
