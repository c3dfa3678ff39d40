; RingVM system-architecture guest test 9 (issue 5): CLI, STI, PUSHF/PUSHFD, POPF/POPFD, INT n,
; INT3, INTO and IRET at CPL 0, 1, 3 and in virtual-8086 mode for every IOPL, with seeded
; random POPF/IRET images (flags.nasm from gen-flags.py). Every case starts by IRETD from ring 0
; and ends with UD2 or the fault it raises; the fault frame (vector, error, EIP, CS, EFLAGS) and
; EAX are recorded. SDM vol. 2 CLI/STI/POPF/PUSHF/INT n/IRET; vol. 3, 20.2.7.

%include "common.nasm"
NVEC            equ 0x48

        REAL_ENTRY

gdtr:   dw gdt_end - gdt - 1
        dd 0x1000
idtr:   dw 0x60*8 - 1
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


%include "flags.nasm"

pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, 0x9000
        ; IDT: 00-5F -> fault stubs; 50 has DPL 3
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
        cmp     ecx, 0x60
        jb      .idt
        mov     word [0x2000+0x50*8+4], 0xEE00 ; 50: DPL 3
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
.case:  SETRESUME .next
        lea     esi, [ebp*4 + ebp]
        lea     esi, [case_frames + esi*4]
        push    dword 0                         ; GS, FS, DS, ES for v8086 entries
        push    dword 0
        push    dword 0
        push    dword 0
        push    dword [esi]                     ; SS
        push    dword [esi+4]                   ; ESP
        push    dword [esi+8]                   ; EFLAGS
        push    dword [esi+12]                  ; CS
        push    dword [esi+16]                  ; EIP
        mov     eax, 0xAAAAAAAA
        cmp     dword [esi+12], 0x08
        jne     .iret                           ; ring 0: same-level IRETD pops only 3 dwords
        mov     ax, 0x10
        mov     ds, ax
        mov     eax, 0xAAAAAAAA
.iret:  iretd
.next:  inc     ebp
        cmp     ebp, NCASES
        jb      .case

        cld                                     ; the POPF images may have set DF
        mov     esi, RECORDS                    ; print: case, then the record
        xor     ebp, ebp
.dump:  mov     eax, ebp
        call    print32
        mov     ecx, 7
.dw:    lodsd
        call    print32
        loop    .dw
        PUTC    10
        inc     ebp
        cmp     ebp, NCASES
        jb      .dump
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

; exceptions: record kind 2, vector, error code, faulting EIP, CS
fault:
        push    eax
        mov     eax, 0x10
        mov     ds, ax
        mov     esi, [0x600]
        pop     dword [esi+24]                  ; EAX
        mov     eax, [esp]
        mov     [esi], eax                      ; vector
        mov     eax, [esp+4]
        mov     [esi+4], eax                    ; error code
        mov     eax, [esp+8]
        mov     [esi+8], eax                    ; EIP
        mov     eax, [esp+12]
        and     eax, 0xFFFF
        mov     [esi+12], eax                   ; CS
        mov     eax, [esp+16]
        and     eax, 0x003E7FD7
        mov     [esi+16], eax                   ; EFLAGS (RF masked)
        mov     dword [esi+20], 0
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
%rep 0x60
        STUB v
%assign v v+1
%endrep

        RESET_VECTOR
