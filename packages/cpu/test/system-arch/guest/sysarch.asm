; RingVM system-architecture guest test (issue 5). A 64 KiB BIOS image: it runs from the reset
; vector, prints results as hex text to the debug console (port 0xE9) and exits through
; isa-debug-exit (port 0xF4). The expected output is what QEMU (qemu-system-i386, TCG) prints
; for the same image (see build.sh); each step's comment gives the SDM rule it checks.
; Layout (RAM): 0x500 resume EIP/ESP, 0x1000 GDT, 0x2000 IDT, 0x3000 TSS1, 0x3100 TSS2,
; 0x6000 task-2 stack, 0x7000 real/v86 stack, 0x7F00 ring-3 stack, 0x9000 ring-0 stack,
; 0x20000 page directory, 0x21000 page table, 0x50000-0x54000 paging test pages.

        cpu     686
        org     0xF0000

%define R(x)    ((x) - $$)              ; offset inside segment F000
%define LIN(x)  ((x) - $$ + 0xF0000)    ; linear address as a scalar
RESUME_EIP      equ 0x504
RESUME_ESP      equ 0x500
NVEC            equ 0x48

%macro PUTC 1
        mov     al, %1
        out     0xE9, al
%endmacro

; ------------------------------------------------------------------ real mode
        bits    16
start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     al, 0xFF                ; mask both PICs: no IRQ may interfere
        out     0x21, al
        out     0xA1, al
        ; IVT: INT 60h, INT3 and INTO -> rm_handler (SDM vol. 3, 20.1.4)
        mov     word [0x60*4], R(rm_handler)
        mov     word [0x60*4+2], 0xF000
        mov     word [3*4], R(rm_handler)
        mov     word [3*4+2], 0xF000
        mov     word [4*4], R(rm_handler)
        mov     word [4*4+2], 0xF000
        PUTC    'r'
        mov     ax, 0x1234
        int     0x60                    ; pushes FLAGS, CS, IP; clears IF/TF
        int3
        mov     al, 0x7F
        add     al, 1                   ; OF=1
        into                            ; taken
        xor     al, al                  ; OF=0
        into                            ; not taken
        ; POPF in real mode may write IOPL and NT (386+, SDM POPF)
        push    word 0x7002
        popf
        pushf
        pop     ax
        and     ax, 0x7FD7
        movzx   eax, ax
        call    print16
        push    word 0x0002
        popf
        PUTC    10
        ; copy the GDT to RAM at 0x1000 and enter protected mode
        push    cs
        pop     ds
        mov     si, R(gdt)
        mov     di, 0x1000
        mov     cx, gdt_end - gdt
        cld
        rep movsb
        xor     ax, ax
        mov     ds, ax
        lgdt    [cs:R(gdtr)]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:pm32

rm_handler:
        push    bp
        mov     bp, sp
        push    eax
        PUTC    'R'
        movzx   eax, word [bp+2]        ; IP after the INT
        call    print16
        movzx   eax, word [bp+4]        ; CS
        call    print16
        movzx   eax, word [bp+6]        ; FLAGS image
        and     ax, 0x0FD7
        call    print16
        pushf
        pop     ax
        and     ax, 0x0300              ; IF and TF cleared in the handler
        movzx   eax, ax
        call    print16
        PUTC    10
        pop     eax
        pop     bp
        iret

; prints EAX as 8 hex digits and a space (16-bit code)
print16:
        pushad
        mov     cx, 8
.l:     rol     eax, 4
        mov     ebx, eax
        and     bx, 0x0F
        mov     dl, [cs:R(hexdigits)+bx]
        xchg    al, dl
        out     0xE9, al
        xchg    al, dl
        loop    .l
        mov     al, ' '
        out     0xE9, al
        popad
        ret

hexdigits: db "0123456789ABCDEF"

gdtr:   dw gdt_end - gdt - 1
        dd 0x1000
idtr:   dw NVEC*8 - 1
        dd 0x2000

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0, flat
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0, flat
        dq 0x00CFFB000000FFFF                   ; 18 code, ring 3, flat
        dq 0x00CFF3000000FFFF                   ; 20 data, ring 3, flat
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 28 TSS1 (32-bit, available)
        dw 0x67, 0x3100
        db 0, 0x89, 0, 0                        ; 30 TSS2
        dw 0xFFFF, 0
        db 0, 0x13, 0xCF, 0                     ; 38 data, not present
        dw 0xFFFF, 0
        db 0, 0x99, 0xCF, 0                     ; 40 code, execute-only
        dw LIN(cg_target) & 0xFFFF, 0x08
        db 2, 0xEC
        dw LIN(cg_target) >> 16                 ; 48 32-bit call gate, DPL 3, 2 parameters
        dw 0, 0x30
        db 0, 0x85, 0, 0                        ; 50 task gate -> TSS2
        dw 0xFFFF, 0
        db 0x0F, 0x9B, 0, 0                     ; 58 16-bit code, base F0000
        dw 0xFFFF, 0
        db 0, 0x93, 0, 0                        ; 60 16-bit data, limit FFFF
        dw 0x0FFF, 0
        db 0, 0x93, 0x40, 0                     ; 68 data, limit FFF (byte granular)
        dw 0xFFFF, 0
        db 0, 0x9F, 0xCF, 0                     ; 70 conforming code, DPL 0
gdt_end:

; ------------------------------------------------------------------ v8086 code (16-bit)
v86_int:                                        ; IOPL 0: INT n is IOPL-sensitive -> #GP(0)
        int     0x40
v86_cli:                                        ; IOPL 0: CLI -> #GP(0)
        cli
v86_iopl3:                                      ; IOPL 3: INT n goes through the IDT (ring 0)
        mov     ax, 0x1234
        int     0x43                            ; handler IRETs straight back
        cli
        pushf
        pop     ax
        int     0x41                            ; exits to ring 0 through exc_common

; ------------------------------------------------------------------ protected mode
        bits    32
%macro SETRESUME 1
        mov     dword [RESUME_EIP], %1
        mov     [RESUME_ESP], esp
%endmacro

%macro PRINT 1
        mov     eax, %1
        call    print32
%endmacro

%macro TO_R3 1
        SETRESUME %%next
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        push    dword %1
        iretd
%%next:
%endmacro

%macro TO_V86 2
        SETRESUME %%next
        push    dword 0                         ; GS
        push    dword 0                         ; FS
        push    dword 0                         ; DS
        push    dword 0                         ; ES
        push    dword 0                         ; SS
        push    dword 0x7000                    ; ESP
        push    dword 0x20002 | (%2 << 12)      ; EFLAGS: VM, IOPL
        push    dword 0xF000                    ; CS
        push    dword R(%1)                     ; EIP
        iretd
%%next:
%endmacro

print32:
        pushad
        mov     ecx, 8
.l:     rol     eax, 4
        mov     ebx, eax
        and     ebx, 0x0F
        mov     dl, [cs:hexdigits+ebx]
        xchg    al, dl
        out     0xE9, al
        xchg    al, dl
        loop    .l
        mov     al, ' '
        out     0xE9, al
        popad
        ret

pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, 0x9000
        PUTC    'P'
        mov     eax, cr0
        call    print32
        mov     eax, cs
        call    print32
        PUTC    10

        ; IDT: every vector -> its stub (32-bit interrupt gate, DPL 0)
        mov     edi, 0x2000
        mov     ebx, stubs
        xor     ecx, ecx
.idt:   mov     eax, ebx
        mov     [edi], ax
        mov     word [edi+2], 0x08
        mov     word [edi+4], 0x8E00
        shr     eax, 16
        mov     [edi+6], ax
        add     ebx, 16
        add     edi, 8
        inc     ecx
        cmp     ecx, NVEC
        jb      .idt
        mov     eax, handler_if                 ; 30: interrupt gate, 31: trap gate
        mov     [0x2000+0x30*8], ax
        mov     [0x2000+0x31*8], ax
        shr     eax, 16
        mov     [0x2000+0x30*8+6], ax
        mov     [0x2000+0x31*8+6], ax
        mov     word [0x2000+0x31*8+4], 0x8F00
        mov     word [0x2000+0x32*8+4], 0xEE00  ; 32: DPL 3
        mov     word [0x2000+0x41*8+4], 0xEE00  ; 41: DPL 3
        mov     eax, handler_iret               ; 43: DPL 3, IRET at once
        mov     [0x2000+0x43*8], ax
        shr     eax, 16
        mov     [0x2000+0x43*8+6], ax
        mov     word [0x2000+0x43*8+4], 0xEE00
        mov     dword [0x2000+0x44*8], 0x00300000 ; 44: task gate -> TSS2
        mov     dword [0x2000+0x44*8+4], 0x00008500
        lidt    [idtr]

        ; TSS1 (ring-0 stack 10:9000) and TSS2 (task 2)
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x200/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     word [0x3066], 0x68
        mov     dword [0x3120], task2
        mov     dword [0x3124], 2
        mov     dword [0x3138], 0x6000
        mov     dword [0x3148], 0x10
        mov     dword [0x314C], 0x08
        mov     dword [0x3150], 0x10
        mov     dword [0x3154], 0x10
        mov     dword [0x3158], 0x10
        mov     dword [0x315C], 0x10
        mov     word [0x3166], 0x68
        mov     ax, 0x28
        ltr     ax

        ; --- segment-register loads (SDM vol. 2 MOV, "Protected Mode Exceptions")
        PUTC    's'
        PUTC    10
        SETRESUME .s1
        mov     ax, 0x38                        ; not present -> #NP(38)
        mov     ds, ax
.s1:    SETRESUME .s2
        mov     ax, 0x40                        ; execute-only code -> #GP(40)
        mov     ds, ax
.s2:    SETRESUME .s3
        mov     ax, 0x400                       ; beyond the GDT limit -> #GP(400)
        mov     es, ax
.s3:    SETRESUME .s4
        mov     ax, 0x20                        ; SS with DPL 3 at CPL 0 -> #GP(20)
        mov     ss, ax
.s4:    SETRESUME .s5
        xor     ax, ax                          ; null DS loads; using it -> #GP(0)
        mov     ds, ax
        mov     eax, [0x100]
.s5:    SETRESUME .s6
        mov     ax, 0x68                        ; limit 0xFFF: dword at 0xFFE -> #GP(0)
        mov     es, ax
        mov     eax, [es:0xFFE]
.s6:    SETRESUME .s7
        mov     ax, 0x68                        ; stack limit -> #SS(0)
        mov     ss, ax
        mov     esp, 0xF00
        mov     eax, [ss:0x1000]
.s7:    SETRESUME .s8
        xor     eax, eax
        int     0x50                            ; beyond the IDT limit -> #GP(50*8+2)
.s8:
        ; --- LAR / LSL / VERR / VERW (SDM vol. 2)
        PUTC    'l'
        mov     eax, 0x12345678
        mov     bx, 0x28
        lar     eax, bx                         ; busy TSS: 00008B00, ZF=1
        call    print32
        pushfd
        pop     eax
        and     eax, 0x40
        call    print32
        mov     bx, 0x68
        lsl     eax, bx                         ; 00000FFF
        call    print32
        mov     bx, 0x08
        lsl     eax, bx                         ; page granular: FFFFFFFF
        call    print32
        mov     bx, 0x40
        verr    bx                              ; execute-only: ZF=0
        pushfd
        pop     eax
        and     eax, 0x40
        call    print32
        mov     bx, 0x10
        verw    bx                              ; writable data: ZF=1
        pushfd
        pop     eax
        and     eax, 0x40
        call    print32
        mov     bx, 0x48
        lar     eax, bx                         ; call gate, DPL 3: 0000EC00
        call    print32
        mov     bx, 0x50
        mov     eax, 0x55555555
        lsl     eax, bx                         ; LSL rejects gates: ZF=0, EAX kept
        call    print32
        mov     ax, 0x0013
        mov     bx, 0x0022
        arpl    ax, bx                          ; raises RPL 3 -> 2? no: 3 > 2, unchanged, ZF=0
        movzx   eax, ax
        call    print32
        mov     ax, 0x0011
        arpl    ax, bx                          ; 1 < 2 -> 0012, ZF=1
        pushfd
        pop     ebx
        and     ebx, 0x40
        movzx   eax, ax
        call    print32
        mov     eax, ebx
        call    print32
        PUTC    10

        ; --- interrupt vs trap gate (SDM vol. 3, 6.12.1.3): IF cleared only by interrupt gates
        PUTC    'i'
        sti
        int     0x30
        int     0x31
        cli
        PUTC    10

        ; --- ring 3 (IRET to an outer level nulls DS/ES/FS/GS that are too privileged)
        PUTC    'u'
        PUTC    10
        TO_R3   r3_segs
        TO_R3   r3_cli
        TO_R3   r3_hlt
        TO_R3   r3_intdpl
        TO_R3   r3_ds0
        TO_R3   r3_callgate
        TO_R3   r3_conforming
        TO_R3   r3_popf

        ; --- task switches (SDM vol. 3, 7.3)
        PUTC    't'
        mov     ebx, 0xB1B1B1B1
        jmp     0x30:0                          ; JMP to TSS2: no link, NT clear
        call    task_state
        call    0x50:0                          ; CALL task gate: link, NT set, IRET returns
        call    task_state
        int     0x44                            ; INT through a task gate
        call    task_state
        PUTC    10

        ; --- virtual-8086 mode (SDM vol. 3, 20.2-20.3)
        PUTC    'v'
        PUTC    10
        TO_V86  v86_int, 0
        TO_V86  v86_cli, 0
        TO_V86  v86_iopl3, 3

        ; --- paging (SDM vol. 3, 4.6-4.7): #PF error codes and CR2
        PUTC    'p'
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
        mov     dword [0x21000+0x50*4], 0               ; not present
        mov     dword [0x21000+0x51*4], 0x51005         ; user, read-only
        mov     dword [0x21000+0x52*4], 0x52003         ; supervisor, read/write
        mov     dword [0x54000], 0xCAFEBABE
        mov     dword [0x53000], 0x53535353
        mov     eax, 0x20000
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        call    print32
        PUTC    10
        SETRESUME .p1
        mov     eax, [0x50000]                  ; #PF(0), CR2=50000
.p1:    SETRESUME .p2
        mov     dword [0x51000], 1              ; WP=0: supervisor writes read-only pages
        PUTC    'w'
        mov     eax, cr0
        or      eax, 0x10000
        mov     cr0, eax
        mov     dword [0x51004], 2              ; WP=1: #PF(3), CR2=51004
.p2:    mov     dword [0x52008], 3              ; sets A and D
        PRINT   [0x21000+0x52*4]
        PRINT   [0x21000+0x51*4]
        PRINT   [0x51000]
        mov     eax, [0x53000]                  ; INVLPG after a PTE change
        mov     dword [0x21000+0x53*4], 0x54007
        invlpg  [0x53000]
        PRINT   [0x53000]
        PUTC    10
        TO_R3   r3_pf_super
        TO_R3   r3_pf_ro
        TO_R3   r3_pf_np

        ; --- back to real mode; FS keeps its 4-GiB limit (unreal mode, SDM vol. 3, 9.9.2)
        mov     eax, cr0
        and     eax, 0x7FFEFFFF
        mov     cr0, eax
        mov     dword [0x200000], 0x600DF00D
        mov     ax, 0x10
        mov     fs, ax
        jmp     0x58:R(pm16)

task_state:                                     ; task 1 after a switch back
        PUTC    'k'
        mov     eax, ebx
        call    print32
        pushfd
        pop     eax
        and     eax, 0x4000
        call    print32
        movzx   eax, byte [0x1000+0x28+5]
        call    print32
        movzx   eax, byte [0x1000+0x30+5]
        call    print32
        str     ax
        movzx   eax, ax
        call    print32
        ret

task2:                                          ; entered by JMP
        PUTC    'T'
        call    task2_state
        jmp     0x28:0
        PUTC    'U'                             ; entered by CALL through a task gate
        call    task2_state
        iretd
        PUTC    'V'                             ; entered by INT 44h
        call    task2_state
        iretd
        jmp     task2

task2_state:
        mov     eax, ebx
        call    print32
        pushfd
        pop     eax
        and     eax, 0x4000
        call    print32
        movzx   eax, word [0x3100]              ; back link
        call    print32
        movzx   eax, byte [0x1000+0x28+5]
        call    print32
        movzx   eax, byte [0x1000+0x30+5]
        call    print32
        str     ax
        movzx   eax, ax
        call    print32
        mov     eax, esp
        call    print32
        ret

handler_if:
        push    eax
        pushfd
        pop     eax
        and     eax, 0x200
        call    print32
        pop     eax
        iretd

handler_iret:
        PUTC    'I'
        iretd

; call gate target: ring 0 with the parameters copied (SDM vol. 3, 5.8.5, figure 5-13)
cg_target:
        PUTC    'G'
        PRINT   [esp]
        mov     eax, [esp+4]
        and     eax, 0xFFFF
        call    print32
        PRINT   [esp+8]
        PRINT   [esp+12]
        PRINT   [esp+16]
        mov     eax, [esp+20]
        and     eax, 0xFFFF
        call    print32
        mov     eax, esp
        call    print32
        mov     eax, cs
        call    print32
        PUTC    10
        retf    8

; ring-3 programs: each ends with a fault or INT 32h, which reports and resumes ring 0
r3_segs:
        mov     eax, ds                         ; nulled by the IRET
        mov     ebx, es
        shl     eax, 16
        or      eax, ebx
        int     0x32
r3_cli:
        cli                                     ; CPL 3 > IOPL 0 -> #GP(0)
r3_hlt:
        hlt                                     ; #GP(0)
r3_intdpl:
        int     0x30                            ; gate DPL 0 < CPL 3 -> #GP(30*8+2)
r3_ds0:
        mov     ax, 0x10                        ; DPL 0 data at CPL 3 -> #GP(10)
        mov     ds, ax
r3_callgate:
        push    dword 0x1111
        push    dword 0x2222
        call    0x4B:0
        mov     eax, esp
        int     0x32
r3_conforming:
        call    0x70:conf_target
conf_target:
        mov     eax, cs                         ; conforming code runs at CPL 3: CS = 73
        int     0x32
r3_popf:
        pushfd
        or      dword [ss:esp], 0x3200          ; IF and IOPL: ignored at CPL 3 > IOPL
        popfd
        pushfd
        pop     eax
        and     eax, 0x3200
        int     0x32
r3_pf_super:
        mov     ax, 0x23
        mov     ds, ax
        mov     eax, [0x52000]                  ; user read of a supervisor page: #PF(5)
r3_pf_ro:
        mov     ax, 0x23
        mov     ds, ax
        mov     dword [0x51000], 0              ; user write, read-only page: #PF(7)
r3_pf_np:
        mov     ax, 0x23
        mov     ds, ax
        mov     eax, [0x50010]                  ; not present: #PF(4)

; exception/interrupt stubs: 16 bytes each; those without an error code push 0
%macro STUB 1
%%s:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17
        push    byte %1
%else
        push    byte 0
        push    byte %1
%endif
        jmp     exc_common
        times 16 - ($ - %%s) db 0xCC
%endmacro
        align 16
stubs:
%assign v 0
%rep NVEC
        STUB v
%assign v v+1
%endrep

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

; ------------------------------------------------------------------ back to real mode
        bits    16
pm16:
        mov     ax, 0x60
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     eax, cr0
        and     al, 0xFE
        mov     cr0, eax
        jmp     0xF000:R(rm2)
rm2:
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     fs, ax
        PUTC    'x'
        mov     eax, [fs:dword 0x200000]        ; through the cached 4-GiB limit
        call    print16
        mov     eax, cr0
        call    print16
        PUTC    10
        mov     al, 0
        out     0xF4, al                        ; isa-debug-exit (QEMU)
.halt:  cli
        hlt
        jmp     .halt

        times 0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:R(start)
        times 0x10000 - ($ - $$) db 0xFF
