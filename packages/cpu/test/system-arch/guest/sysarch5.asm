; RingVM system-architecture guest test 5 (issue 5): a 16-bit call gate with word parameters
; between 16-bit ring-3 and ring-0 code (SDM vol. 3, 5.8.5), a task switch into and out of a
; virtual-8086 task (7.3, 20.2), and a task whose TSS loads CR3 and an LDT (7.2.1).

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
        db 0, 0x89, 0, 0                        ; 30 TSS2 (the v8086 task)
        dw 0x67, 0x3200
        db 0, 0x89, 0, 0                        ; 38 TSS3 (CR3 and LDT)
        dw 0xFFFF, 0
        db 0x0F, 0x9B, 0, 0                     ; 40 16-bit code, ring 0, base F0000
        dw 0xFFFF, 0
        db 0x0F, 0xFB, 0, 0                     ; 48 16-bit code, ring 3, base F0000
        dw 0xFFFF, 0
        db 0, 0xF3, 0, 0                        ; 50 16-bit data, ring 3, base 0
        dw R(h16), 0x40
        db 2, 0xE4, 0, 0                        ; 58 16-bit call gate, DPL 3, 2 words
        dw 0x0F, 0x3400
        db 0, 0x82, 0, 0                        ; 60 LDT at 3400h
gdt_end:

ldt_image:
        dq 0
        dw 0x0FFF, 0x5000
        db 0, 0x93, 0x40, 0                     ; LDT 1 (selector 0C): data at 5000h

        bits    16
r3_16:                                          ; ring 3, 16-bit code and stack
        mov     ax, 0x53                        ; DS was nulled by the IRET to ring 3
        mov     ds, ax
        push    word 0x1111
        push    word 0x2222
        call    0x5B:0                          ; through the 16-bit call gate
        mov     ax, sp
        int     0x32
h16:                                            ; ring 0, 16-bit code, 32-bit stack
        mov     eax, [esp]                      ; IP, CS
        mov     [0x610], eax
        mov     eax, [esp+4]                    ; the two parameters
        mov     [0x614], eax
        mov     eax, [esp+8]                    ; SP, SS
        mov     [0x618], eax
        mov     [0x61C], esp
        mov     ax, cs
        mov     [0x620], ax
        retf    4

v86task:                                        ; entered by a task switch in v8086 mode
        mov     ax, 0x5678
        mov     bx, sp
        int     0x44                            ; task gate -> task 1

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
        mov     dword [0x2000+0x44*8], 0x00280000 ; 44: task gate -> TSS1, DPL 3
        mov     dword [0x2000+0x44*8+4], 0x0000E500
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x600/4
        rep stosd
        mov     dword [0x3004], 0x9000
        mov     dword [0x3008], 0x10
        mov     word [0x3066], 0x68
        ; TSS2: a v8086 task at F000:v86task, stack 0:7000, IOPL 3
        mov     dword [0x3104], 0x8800
        mov     dword [0x3108], 0x10
        mov     dword [0x3120], R(v86task)
        mov     dword [0x3124], 0x23002
        mov     dword [0x3138], 0x7000
        mov     dword [0x3148], 0x1111          ; ES
        mov     dword [0x314C], 0xF000          ; CS
        mov     dword [0x3150], 0               ; SS
        mov     dword [0x3154], 0x2222          ; DS
        mov     word [0x3166], 0x68
        ; TSS3: CR3, LDT, flat ring-0 segments
        mov     dword [0x321C], 0x00ABC000
        mov     dword [0x3220], task3
        mov     dword [0x3224], 2
        mov     dword [0x3238], 0x6000
        mov     dword [0x3248], 0x10
        mov     dword [0x324C], 0x08
        mov     dword [0x3250], 0x10
        mov     dword [0x3254], 0x10
        mov     dword [0x3260], 0x60
        mov     word [0x3266], 0x68
        mov     esi, ldt_image
        mov     edi, 0x3400
        mov     ecx, 16
        rep movsb
        mov     dword [0x5010], 0x1D7D1D7D
        mov     ax, 0x28
        ltr     ax

        ; --- 16-bit call gate from 16-bit ring 3
        PUTC    'c'
        SETRESUME .c1
        push    dword 0x53
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x4B
        push    dword R(r3_16)
        iretd
.c1:    PRINT   [0x610]
        PRINT   [0x614]
        PRINT   [0x618]
        PRINT   [0x61C]
        movzx   eax, word [0x620]
        call    print32
        PUTC    10

        ; --- JMP to a v8086 task; it comes back through an INT task gate
        PUTC    'v'
        mov     ebx, 0xB1B1B1B1
        jmp     0x30:0
        call    print32                         ; EAX of task 1 is its own again
        pushfd
        pop     eax
        and     eax, 0x24000                    ; NT set by the task gate, VM clear
        call    print32
        movzx   eax, word [0x3000]              ; back link -> TSS2
        call    print32
        PRINT   [0x3120]                        ; TSS2: EIP, EFLAGS, EAX, EBX, ESP, ES, CS, SS, DS
        mov     eax, [0x3124]
        and     eax, 0x27200
        call    print32
        PRINT   [0x3128]
        PRINT   [0x3134]
        PRINT   [0x3138]
        PRINT   [0x3148]
        PRINT   [0x314C]
        PRINT   [0x3150]
        PRINT   [0x3154]
        movzx   eax, byte [0x1000+0x30+5]
        call    print32
        PUTC    10
        pushfd
        and     dword [esp], ~0x4000
        popfd

        ; --- a task with its own CR3 and LDT
        PUTC    'l'
        jmp     0x38:0
        mov     eax, cr3                        ; TSS1's CR3 field (0) is loaded on the way back
        call    print32
        sldt    ax
        movzx   eax, ax
        call    print32
        PUTC    10
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

task3:
        mov     eax, cr3
        call    print32
        sldt    ax
        movzx   eax, ax
        call    print32
        mov     ax, 0x0C
        mov     ds, ax
        PRINT   [0x10]
        mov     ax, 0x10
        mov     ds, ax
        jmp     0x28:0

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
