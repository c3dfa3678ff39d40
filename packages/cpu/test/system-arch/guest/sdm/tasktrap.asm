; RingVM TSS debug-trap test (issue 5); expectations from the SDM (vol. 3, 17.3.1.5: with the
; T flag of the new TSS set, a #DB trap with DR6.BT is taken after the task switch, before the
; new task's first instruction). QEMU does not implement the T flag.

        cpu     686
        org     0xF0000

%define R(x)    ((x) - $$)
%define LIN(x)  ((x) - $$ + 0xF0000)
RESUME_EIP      equ 0x504
RESUME_ESP      equ 0x500
NVEC            equ 0x48

%macro PUTC 1
        mov     al, %1
        out     0xE9, al
%endmacro

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




        bits    16
        times 0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:R(start)
        times 0x10000 - ($ - $$) db 0xFF
