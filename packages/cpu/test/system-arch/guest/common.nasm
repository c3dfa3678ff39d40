; Shared setup of the system-architecture guest images (issue 5). Each image is a 64 KiB BIOS
; at F0000h, run from reset: %include this first, then
;   REAL_ENTRY            16-bit entry (copies the GDT to 1000h, enters protected mode, jumps
;                         to pm32) and print16/hexdigits; the image defines gdt/gdt_end/pm32
;   GDTR_IDTR             gdtr (GDT at 1000h) and idtr (NVEC gates at 2000h)
;   PRINT32_ROUTINE       print32: EAX as 8 hex digits and a space on the debug console (E9h)
;   IDT_STUBS             pm32's loop pointing the NVEC IDT gates at the stubs (interrupt gates)
;   STUB_TABLE            the 16-byte stubs (vector, error code or 0) jumping to exc_common
;   RESET_VECTOR          the jump at FFFF0h and the padding to 64 KiB
; and the macros PUTC, SETRESUME, PRINT, TO_R3 and TO_V86.

        cpu     686
        org     0xF0000

%define R(x)    ((x) - $$)
%define LIN(x)  ((x) - $$ + 0xF0000)
RESUME_EIP      equ 0x504
RESUME_ESP      equ 0x500

%macro PUTC 1
        mov     al, %1
        out     0xE9, al
%endmacro

%macro REAL_ENTRY 0
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
%endmacro

%macro GDTR_IDTR 0
gdtr:   dw gdt_end - gdt - 1
        dd 0x1000
idtr:   dw NVEC*8 - 1
        dd 0x2000
%endmacro

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

%macro PRINT32_ROUTINE 0
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
%endmacro

%macro IDT_STUBS 0
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
%endmacro

; exception/interrupt stubs: 16 bytes each; those without an error code push 0
%macro COMMON_STUB 1
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

%macro STUB_TABLE 0
        align 16
stubs:
%assign v 0
%rep NVEC
        COMMON_STUB v
%assign v v+1
%endrep
%endmacro

%macro RESET_VECTOR 0
        bits    16
        times 0xFFF0 - ($ - $$) db 0xFF
        jmp     0xF000:R(start)
        times 0x10000 - ($ - $$) db 0xFF
%endmacro
