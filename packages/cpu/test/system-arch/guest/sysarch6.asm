; RingVM system-architecture guest test 6 (issue 5): 64 pseudo-random IDT gates (gates.nasm,
; fixed seed: gate type, DPL, P and target selector) invoked by INT n from CPL 0 and CPL 3. For
; each, either the fault (vector, error code) or where delivery landed (CS, SS, ESP, EFLAGS) is
; recorded (SDM vol. 3, 6.12 and vol. 2 INT n "Protected Mode Exceptions").

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

gates:
%include "gates.nasm"
gates_end:

        bits    32




        PRINT32_ROUTINE


; the handler every random gate points at (copied to 0x700): reports where it runs
handler_image:
        mov     eax, cs
        mov     ebx, ss
        mov     ecx, esp
        pushfd
        pop     edx
        int     0x80
handler_end:

; INT 40h .. INT 7Fh, 2 bytes each
int_table:
%assign v 0x40
%rep 64
        int     v
%assign v v+1
%endrep

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
        mov     esi, gates
.gate:  movzx   edi, byte [esi]
        lea     edi, [0x2000 + edi*8]
        mov     word [edi], HANDLER
        mov     ax, [esi+2]
        mov     [edi+2], ax
        mov     byte [edi+4], 0
        mov     al, [esi+1]
        mov     [edi+5], al
        mov     word [edi+6], 0
        add     esi, 4
        cmp     esi, gates_end
        jb      .gate
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
        xor     ebp, ebp                        ; vector index
.cpl0:  SETRESUME .n0
        lea     eax, [int_table + ebp*2]
        jmp     eax
.n0:    inc     ebp
        cmp     ebp, 64
        jb      .cpl0
        xor     ebp, ebp
.cpl3:  SETRESUME .n3
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        lea     eax, [int_table + ebp*2]
        push    eax
        iretd
.n3:    inc     ebp
        cmp     ebp, 64
        jb      .cpl3

        mov     esi, RECORDS                      ; print: vector, kind, four values
        xor     ebp, ebp
.dump:  mov     eax, ebp
        and     eax, 63
        add     eax, 0x40
        call    print32
        mov     ecx, 5
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

; INT 80h from the handler: record kind 1, CS, SS, ESP, EFLAGS (IF, IOPL, NT, VM, TF)
back:
        mov     esi, 0x10
        mov     ds, si
        mov     esi, [0x600]
        mov     dword [esi], 1
        and     eax, 0xFFFF
        mov     [esi+4], eax
        and     ebx, 0xFFFF
        mov     [esi+8], ebx
        mov     [esi+12], ecx
        and     edx, 0x27300
        mov     [esi+16], edx
        jmp     record_done

; exceptions: record kind 2, vector, error code, faulting EIP, CS
fault:
        mov     esi, 0x10
        mov     ds, si
        mov     esi, [0x600]
        mov     dword [esi], 2
        mov     eax, [esp]
        mov     [esi+4], eax
        mov     eax, [esp+4]
        mov     [esi+8], eax
        mov     eax, [esp+8]
        mov     [esi+12], eax
        mov     eax, [esp+12]
        and     eax, 0xFFFF
        mov     [esi+16], eax
record_done:
        add     dword [0x600], 20
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
