; RingVM system-architecture guest test 8 (issue 5): 64 pseudo-random IRETD/RETF/RETF 8 frames
; (returns.nasm, fixed seed: CS and SS selectors with any RPL, EFLAGS, ESP) executed at CPL 0 and
; at CPL 3. Records the fault or where the return landed: CS, SS, ESP, EFLAGS and the data
; segment registers (nulled on a return to an outer level). SDM vol. 2 IRET and RET operation.

%include "common.nasm"
NVEC            equ 0x48

        REAL_ENTRY

gdtr:   dw gdt_end - gdt - 1
        dd 0x1000
idtr:   dw 0x81*8 - 1
        dd 0x2000
RECORDS equ 0x10000
HANDLER equ 0x700

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0
        dq 0x00CFFB000000FFFF                   ; 18 code, ring 3
        dq 0x00CFF3000000FFFF                   ; 20 data, ring 3
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 28 TSS1
        dq 0x00CFBB000000FFFF                   ; 30 code, ring 1
        dq 0x00CFB3000000FFFF                   ; 38 data, ring 1
        dq 0x00CFDB000000FFFF                   ; 40 code, ring 2
        dq 0x00CFD3000000FFFF                   ; 48 data, ring 2
        dq 0x00CF9F000000FFFF                   ; 50 conforming code, DPL 0
        dq 0x00CFFF000000FFFF                   ; 58 conforming code, DPL 3
        dq 0x00CF1B000000FFFF                   ; 60 code, ring 0, not present
        dq 0x00CF7B000000FFFF                   ; 68 code, ring 3, not present
gdt_end:

        bits    32




        PRINT32_ROUTINE


; the landing code (copied to 0x700): reports where it runs
handler_image:
        mov     eax, cs
        mov     ebx, ss
        mov     ecx, esp
        pushfd
        pop     edx
        mov     si, ds
        shl     esi, 16
        mov     si, es
        mov     di, fs
        shl     edi, 16
        mov     di, gs
        int     0x80
handler_end:

%include "returns.nasm"

r3_dispatch:
        jmp     [cs:rettable3 + ebp*4]

pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, 0x9000
        mov     esi, handler_image
        mov     edi, HANDLER
        mov     ecx, handler_end - handler_image
        rep movsb
        ; IDT: 00-3F -> fault stubs; 40-7F random gates to HANDLER; 80 -> back (DPL 3)
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
        cmp     ecx, 0x40
        jb      .idt
        mov     eax, back
        mov     [0x2000+0x80*8], ax
        shr     eax, 16
        mov     [0x2000+0x80*8+6], ax
        mov     word [0x2000+0x80*8+2], 0x08
        mov     word [0x2000+0x80*8+4], 0xEE00
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x68/4
        rep stosd
        mov     dword [0x3004], 0x9000          ; ring-0 stack
        mov     dword [0x3008], 0x10
        mov     dword [0x300C], 0x8800          ; ring-1 stack
        mov     dword [0x3010], 0x39
        mov     dword [0x3014], 0x8400          ; ring-2 stack
        mov     dword [0x3018], 0x4A
        mov     word [0x3066], 0x68
        mov     ax, 0x28
        ltr     ax

        mov     dword [0x600], RECORDS              ; record pointer
        xor     ebp, ebp
.cpl0:  SETRESUME .n0
        mov     ax, 0x10                        ; DPL 0, 2, 3 data and a conforming code segment
        mov     ds, ax
        mov     ax, 0x4A
        mov     es, ax
        mov     ax, 0x23
        mov     fs, ax
        mov     ax, 0x50
        mov     gs, ax
        jmp     [rettable0 + ebp*4]
.n0:    inc     ebp
        cmp     ebp, 64
        jb      .cpl0
        xor     ebp, ebp
.cpl3:  SETRESUME .n3
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        push    dword r3_dispatch
        iretd
.n3:    inc     ebp
        cmp     ebp, 64
        jb      .cpl3

        mov     esi, RECORDS                      ; print: vector, kind, four values
        xor     ebp, ebp
.dump:  mov     eax, ebp
        call    print32
        mov     ecx, 7
.dw:    lodsd
        call    print32
        loop    .dw
        PUTC    10
        inc     ebp
        cmp     ebp, 128
        jb      .dump
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

; INT 80h from the landing code: CS (kind 1 in the high half), SS, ESP, EFLAGS, DS:ES, FS:GS, 0
back:
        push    edi
        mov     edi, 0x10
        mov     ds, di
        mov     edi, [0x600]
        and     eax, 0xFFFF
        or      eax, 0x10000
        mov     [edi], eax
        and     ebx, 0xFFFF
        mov     [edi+4], ebx
        mov     [edi+8], ecx
        and     edx, 0x00277FD7
        mov     [edi+12], edx
        mov     [edi+16], esi
        pop     dword [edi+20]
        mov     dword [edi+24], 0
        jmp     record_done

; exceptions: record kind 2, vector, error code, faulting EIP, CS
fault:
        mov     esi, 0x10
        mov     ds, si
        mov     esi, [0x600]
        mov     eax, [esp]
        or      eax, 0x20000
        mov     [esi], eax
        mov     dword [esi+4], 0
        mov     eax, [esp+4]
        mov     [esi+8], eax
        mov     eax, [esp+8]
        mov     [esi+12], eax
        mov     eax, [esp+12]
        and     eax, 0xFFFF
        mov     [esi+16], eax
        mov     dword [esi+20], 0
        mov     dword [esi+24], 0
record_done:
        add     dword [0x600], 28
        mov     ax, 0x10
        mov     ss, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     esp, [RESUME_ESP]
        jmp     [RESUME_EIP]

%macro STUB 1
%%s:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17
        push    byte %1
%else
        push    byte 0
        push    byte %1
%endif
        jmp     near fault
        times 16 - ($ - %%s) db 0xCC
%endmacro
        align 16
stubs:
%assign v 0
%rep 0x40
        STUB v
%assign v v+1
%endrep

        RESET_VECTOR
