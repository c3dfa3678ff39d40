; RingVM system-architecture guest test 2 (issue 5): LMSW entry, SGDT/SIDT/SMSW, CR0/CR4
; checks, debug registers, CLTS, SYSENTER/SYSEXIT, 16-bit interrupt gate, 16-bit TSS task,
; LDT, #DF from a fault during delivery, #TS, busy-TSS #GP, INT3/INTO/ICEBP from ring 3, TF
; single step, PSE 4-MiB pages. Same conventions as sysarch.asm (output on port 0xE9).

%include "common.nasm"
NVEC            equ 0x48

        bits    16
start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     sp, 0x7000
        mov     al, 0xFF
        out     0x21, al
        out     0xA1, al
        PUTC    'r'
        sidt    [0x600]                         ; reset IDTR: base 0, limit FFFF (SDM vol. 3, table 9-1)
        movzx   eax, word [0x600]
        call    print16
        mov     eax, [0x602]
        call    print16
        smsw    ax                              ; CR0 low word: ET
        movzx   eax, ax
        call    print16
        PUTC    10
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
        mov     ax, 1
        lmsw    ax                              ; LMSW can set PE
        jmp     dword 0x08:pm32

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

        GDTR_IDTR

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0
        dq 0x00CFFB000000FFFF                   ; 18 code, ring 3
        dq 0x00CFF3000000FFFF                   ; 20 data, ring 3
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 28 TSS1 (32-bit)
        dw 0x2B, 0x3200
        db 0, 0x81, 0, 0                        ; 30 TSS3 (16-bit, available)
        dw 0x20, 0x3300
        db 0, 0x89, 0, 0                        ; 38 32-bit TSS with limit 20h (too small)
        dw 0xFFFF, 0
        db 0x0F, 0x9B, 0, 0                     ; 40 16-bit code, base F0000
        dw 0xFFFF, 0
        db 0, 0x93, 0, 0                        ; 48 16-bit data, base 0
        dw 0x0F, 0x3400
        db 0, 0x82, 0, 0                        ; 50 LDT at 3400h, two entries
        dw 0xFFFF, 0
        db 0, 0x13, 0xCF, 0                     ; 58 data, not present
gdt_end:

ldt_image:
        dq 0
        dw 0x0FFF, 0x5000
        db 0, 0x93, 0x40, 0                     ; LDT 1 (selector 0C): data at 5000h, limit FFF

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
        PUTC    'P'
        mov     eax, cr0
        call    print32
        sgdt    [0x600]
        movzx   eax, word [0x600]
        call    print32
        PRINT   [0x602]
        PUTC    10

        IDT_STUBS
        mov     word [0x2000+0x32*8+4], 0xEE00  ; 32: DPL 3 exit gate
        mov     word [0x2000+0x35*8], R(gate16) ; 35: 16-bit interrupt gate -> 40:gate16
        mov     word [0x2000+0x35*8+2], 0x40
        mov     word [0x2000+0x35*8+4], 0x8600
        mov     word [0x2000+0x35*8+6], 0
        lidt    [idtr]
        sidt    [0x600]
        movzx   eax, word [0x600]
        call    print32
        PRINT   [0x602]
        PUTC    10

        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x600/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     word [0x3066], 0x68
        ; 16-bit TSS3: IP, FLAGS, AX, BX, SP, ES, CS, SS, DS
        mov     word [0x320E], R(task16)
        mov     word [0x3210], 0x0002
        mov     word [0x3212], 0xAAAA
        mov     word [0x3218], 0xBBBB
        mov     word [0x321A], 0x6000
        mov     word [0x3222], 0x48
        mov     word [0x3224], 0x40
        mov     word [0x3226], 0x48
        mov     word [0x3228], 0x48
        mov     ax, 0x28
        ltr     ax

        ; --- control and debug registers (the #GP(0) checks of MOV CR are unit tests: QEMU 7.2
        ;     loops on MOV CR4 with reserved bits and accepts PG without PE)
        PUTC    'c'
    mov     eax, cr0
        or      eax, 8
        mov     cr0, eax                        ; TS
        clts
        mov     eax, cr0
        call    print32
        mov     eax, 0x12345678
        mov     dr0, eax
        mov     eax, dr0
        call    print32
        xor     eax, eax
        mov     dr6, eax
        mov     eax, dr6
        call    print32
        mov     eax, 0x401
        mov     dr7, eax
        mov     eax, dr7
        call    print32
        mov     eax, dr4                        ; CR4.DE=0: alias of DR6
        call    print32
        mov     eax, 8
        mov     cr4, eax                        ; DE
        SETRESUME .c4
        mov     eax, dr5                        ; now #UD
.c4:    xor     eax, eax
        mov     cr4, eax
        mov     dr7, eax
        PUTC    10

        ; --- 16-bit interrupt gate: pushes IP, CS, FLAGS as words (SDM vol. 3, 6.12.1)
        PUTC    'g'
        mov     dword [0x610], 0
        mov     dword [0x614], 0
        SETRESUME gate16_back
        int     0x35
gate16_back:
        mov     eax, esp
        call    print32
        PRINT   [0x610]
        PRINT   [0x614]
        PUTC    10

        ; --- CALL to a 16-bit TSS: NT, back link, busy bits; IRET returns (SDM vol. 3, 7.3)
        PUTC    't'
        mov     eax, 0x11112222
        mov     ebx, 0x33334444
        call    0x30:0
        call    print32                         ; task 1 keeps its 32-bit registers
        mov     eax, ebx
        call    print32
        PRINT   [0x620]
        PRINT   [0x624]
        PRINT   [0x628]
        movzx   eax, byte [0x1000+0x30+5]
        call    print32
        movzx   eax, word [0x3212]              ; AX saved in TSS3 by the IRET
        call    print32
        PUTC    10
        SETRESUME .t1
        jmp     0x28:0                          ; the current task is busy: #GP(28)
.t1:    SETRESUME .t2
        jmp     0x38:0                          ; TSS limit below 67h: #TS(38)
.t2:
        ; --- LDT (SDM vol. 3, 3.5.1)
        PUTC    'd'
        mov     esi, ldt_image
        mov     edi, 0x3400
        mov     ecx, 16
        rep movsb
        mov     dword [0x5010], 0x1D7D1D7D
        mov     ax, 0x50
        lldt    ax
        sldt    ax
        movzx   eax, ax
        call    print32
        mov     ax, 0x0C
        mov     fs, ax
        PRINT   [fs:0x10]
        mov     ax, 0x0C
        lsl     eax, ax
        call    print32
        xor     eax, eax
        lldt    ax
        SETRESUME .d1
        mov     ax, 0x0C                        ; LDT now null: #GP(0C)
        mov     gs, ax
.d1:    PUTC    10

        ; --- a #NP whose own gate is not present becomes #DF (SDM vol. 3, table 6-5)
        PUTC    'f'
        mov     byte [0x2000+11*8+5], 0x0E      ; IDT[11]: P=0
        SETRESUME .f1
        mov     ax, 0x58
        mov     ds, ax
.f1:    mov     byte [0x2000+11*8+5], 0x8E
        SETRESUME .f2
        mov     ax, 0x58                        ; and with the gate present: #NP(58)
        mov     ds, ax
.f2:
        ; --- single step: TF set by POPF traps after the next instruction (SDM vol. 3, 17.3.1.4)
        SETRESUME .f3
        mov     eax, 0x5555
        pushfd
        or      dword [esp], 0x100
        popfd
        nop
        nop
.f3:
        ; --- SYSENTER/SYSEXIT (SDM vol. 2)
        PUTC    'y'
        xor     edx, edx
        mov     ecx, 0x174
        mov     eax, 0x08
        wrmsr
        mov     ecx, 0x175
        mov     eax, 0x8800
        wrmsr
        mov     ecx, 0x176
        mov     eax, sysenter_target
        wrmsr
        mov     ecx, 0x174
        rdmsr
        call    print32
        PUTC    10
        TO_R3   r3_sysenter
        TO_R3   r3_int3
        TO_R3   r3_into

        ; --- PSE: a 4-MiB page (SDM vol. 3, 4.3)
        PUTC    'p'
        SETRESUME .p1
        mov     edi, 0x20000
        xor     eax, eax
        mov     ecx, 1024
        rep stosd
        mov     dword [0x20000], 0x00000087     ; 0-4 MiB: 4-MiB page, user, writable
        mov     dword [0x20004], 0x00400087     ; 4-8 MiB: identity
        mov     dword [0x20008], 0x00400087     ; 8-12 MiB -> 4-8 MiB
        mov     dword [0x400010], 0x44444444
        mov     eax, cr4
        or      eax, 0x10
        mov     cr4, eax
        mov     eax, 0x20000
        mov     cr3, eax
        mov     eax, cr0
        or      eax, 0x80000000
        mov     cr0, eax
        PRINT   [0x800010]
        mov     dword [0x800020], 0x88888888
        PRINT   [0x400020]
        PRINT   [0x20008]
        PRINT   [0x20004]
        mov     eax, [0xC00000]                 ; PDE 3 not present: #PF(0)
.p1:    PUTC    10
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

sysenter_target:
        PUTC    'S'
        mov     eax, cs
        call    print32
        mov     eax, ss
        call    print32
        mov     eax, esp
        call    print32
        pushfd
        pop     eax
        and     eax, 0x27200
        call    print32
        PUTC    10
        mov     ecx, 0x7E00
        mov     edx, r3_after_sysexit
        sysexit

r3_sysenter:
        mov     ecx, esp
        sysenter
r3_after_sysexit:
        mov     eax, cs
        shl     eax, 16
        mov     ax, ss
        mov     ebx, esp
        int     0x32
r3_int3:
        int3                                    ; gate DPL 0: #GP(3*8+2)
r3_into:
        mov     al, 0x7F
        add     al, 1
        into                                    ; gate DPL 0: #GP(4*8+2)

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


        bits    16
gate16:                                         ; 16-bit handler: record the word frame
        mov     ax, 0x10
        mov     ds, ax
        mov     eax, [esp]                      ; IP, CS
        mov     [dword 0x610], eax
        movzx   eax, word [esp+4]               ; FLAGS
        and     ax, 0x7200
        mov     [dword 0x614], eax
        add     esp, 6                          ; IRET would return to IP = low 16 bits of EIP
        jmp     dword 0x08:gate16_back

task16:                                         ; 16-bit task entered by CALL
        mov     [0x620], ax                     ; DS = 48h (base 0)
        mov     [0x622], bx
        str     ax
        mov     [0x624], ax
        pushf
        pop     ax
        and     ax, 0x4000
        mov     [0x626], ax
        mov     ax, [0x3200]                    ; back link
        mov     [0x628], ax
        mov     ax, 0x5A5A
        iret

        times 0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:R(start)
        times 0x10000 - ($ - $$) db 0xFF
