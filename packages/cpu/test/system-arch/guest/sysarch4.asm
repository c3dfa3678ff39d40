; RingVM system-architecture guest test 4 (issue 5): 64 pseudo-random descriptors
; (descriptors.nasm, fixed seed) probed with LAR, LSL, VERR, VERW, MOV FS and MOV SS for every
; RPL at CPL 0 and CPL 3 (SDM vol. 2 LAR/LSL/VERR/VERW/MOV "Operation" and "Protected Mode
; Exceptions"). Faults are recorded by a ring-0 handler that resumes at a stored address.
; Results are 8 dwords per selector, printed from ring 0 at the end.

%include "common.nasm"
NVEC            equ 0x48

        REAL_ENTRY

        GDTR_IDTR
FAULT   equ 0x508
RESUME  equ 0x50C
NSEL    equ 64*8                                ; 64 descriptors x 4 RPLs x TI 0/1 (the LDT is null)
OUT0    equ 0x100000
OUT3    equ 0x180000

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0
        dq 0x00CFFB000000FFFF                   ; 18 code, ring 3
        dq 0x00CFF3000000FFFF                   ; 20 data, ring 3
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 28 TSS1
%include "descriptors.nasm"
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
        mov     edi, 0x2000                     ; every vector -> fault (interrupt gate)
        xor     ecx, ecx
.idt:   mov     eax, ecx
        shl     eax, 4
        add     eax, stubs
        mov     [edi], ax
        mov     word [edi+2], 0x08
        mov     word [edi+4], 0x8E00
        shr     eax, 16
        mov     [edi+6], ax
        add     edi, 8
        inc     ecx
        cmp     ecx, NVEC
        jb      .idt
        mov     eax, back_to_ring0              ; 32: DPL 3 exit gate
        mov     [0x2000+0x32*8], ax
        shr     eax, 16
        mov     [0x2000+0x32*8+6], ax
        mov     word [0x2000+0x32*8+4], 0xEE00
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

        mov     edi, OUT0
        call    probe_all
        mov     [0x600], esp
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        push    dword ring3
        iretd
ring3:
        mov     ax, 0x23
        mov     ds, ax
        mov     es, ax
        mov     edi, OUT3
        call    probe_all
        int     0x32
back_to_ring0:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     esp, [0x600]
        mov     esi, OUT0
        call    dump
        mov     esi, OUT3
        call    dump
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

; prints NSEL records of 8 dwords from ESI, one line each, preceded by the selector
dump:
        mov     ebx, 0x30
.l:     mov     eax, ebx
        call    print32
        mov     ecx, 8
.w:     lodsd
        call    print32
        loop    .w
        PUTC    10
        inc     ebx
        cmp     ebx, 0x30 + NSEL
        jb      .l
        ret

; probes selectors 30h .. 30h+NSEL-1 into [EDI]
probe_all:
        mov     esi, 0x30
.next:  mov     edx, esi
        mov     eax, 0xEEEEEEEE
        lar     eax, edx
        mov     [edi], eax
        pushfd
        pop     eax
        and     eax, 0x40
        mov     [edi+4], eax
        mov     eax, 0xEEEEEEEE
        lsl     eax, edx
        mov     [edi+8], eax
        pushfd
        pop     eax
        and     eax, 0x40
        mov     [edi+12], eax
        verr    dx
        pushfd
        pop     eax
        and     eax, 0x40
        mov     [edi+16], eax
        verw    dx
        pushfd
        pop     eax
        and     eax, 0x40
        mov     [edi+20], eax
        mov     dword [FAULT], 0
        mov     dword [RESUME], .a
        mov     fs, dx
.a:     mov     eax, [FAULT]
        mov     [edi+24], eax
        mov     dword [FAULT], 0
        mov     dword [RESUME], .b
        mov     cx, ss
        mov     ss, dx
        mov     ss, cx
.b:     mov     eax, [FAULT]
        mov     [edi+28], eax
        xor     eax, eax
        mov     fs, ax
        add     edi, 32
        inc     esi
        cmp     esi, 0x30 + NSEL
        jb      .next
        ret

; fault stubs, 16 bytes each: push the vector (and 0 for vectors without an error code)
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
%rep NVEC
        STUB v
%assign v v+1
%endrep

; records (vector << 16) | error code at FAULT and resumes at [RESUME] in the faulting context
fault:
        push    eax
        mov     eax, [esp+4]
        shl     eax, 16
        mov     ax, [esp+8]
        mov     [ss:FAULT], eax
        mov     eax, [ss:RESUME]
        mov     [esp+12], eax
        pop     eax
        add     esp, 8
        iretd

        RESET_VECTOR
