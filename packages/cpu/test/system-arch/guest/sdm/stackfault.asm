; RingVM stack-fault test (issue 5); no QEMU oracle (QEMU does not check stack limits while
; pushing an interrupt frame), expectations in ../../guest.test.ts come from the SDM (vol. 2
; INT n: "#SS(error_code(NewSS,0,EXT))" when the new stack has no room after a privilege change,
; "#SS(EXT)" without one; CALL through a call gate: "#SS(SS selector)"). #SS goes through a task
; gate to a reporting task, which points task 1 back at ring 0 and returns.

%include "common.nasm"
NVEC            equ 0x48

        REAL_ENTRY

gdtr:   dw gdt_end - gdt - 1
        dd 0x1000
idtr:   dw 0x40*8 - 1
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
        db 0, 0x89, 0, 0                        ; 30 TSS2 (#SS handler task)
        dw 0x0FFF, 0
        db 0, 0x93, 0x40, 0                     ; 38 ring-0 stack, limit FFF
        dw LIN(gate_target) & 0xFFFF, 0x08
        db 1, 0xEC
        dw LIN(gate_target) >> 16               ; 40 call gate DPL 3, 1 parameter
gdt_end:

        bits    32




        PRINT32_ROUTINE


pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     ss, ax
        mov     esp, 0x9000
        mov     edi, 0x2000                     ; IDT: 32h, 33h DPL 3 gates; 0Ch task gate
        xor     eax, eax
        mov     ecx, 0x40*2
        rep stosd
        mov     eax, gate_target
        mov     [0x2000+0x32*8], ax
        mov     [0x2000+0x33*8], ax
        shr     eax, 16
        mov     [0x2000+0x32*8+6], ax
        mov     [0x2000+0x33*8+6], ax
        mov     dword [0x2000+0x32*8+2], 0xEE000008
        mov     dword [0x2000+0x33*8+2], 0xEE000008
        mov     dword [0x2000+0x0C*8], 0x00300000
        mov     dword [0x2000+0x0C*8+4], 0x00008500
        lidt    [idtr]
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x200/4
        rep stosd
        mov     dword [0x3004], 0x0C            ; ESP0: room for 3 dwords only
        mov     dword [0x3008], 0x38            ; SS0: limit FFF
        mov     word [0x3066], 0x68
        mov     dword [0x3120], ss_task
        mov     dword [0x3124], 2
        mov     dword [0x3138], 0x6000
        mov     dword [0x3148], 0x10
        mov     dword [0x314C], 0x08
        mov     dword [0x3150], 0x10
        mov     dword [0x3154], 0x10
        mov     word [0x3166], 0x68
        mov     ax, 0x28
        ltr     ax

        mov     dword [0x600], .t2              ; where the #SS task sends task 1 next
        push    dword 0x23                      ; 1) INT from CPL 3: new stack too small
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        push    dword r3_int
        iretd
.t2:    mov     dword [0x600], .t3              ; 2) INT at CPL 0 with 8 bytes of stack
        mov     ax, 0x38
        mov     ss, ax
        mov     esp, 8
        int     0x33
.t3:    mov     dword [0x600], .t4              ; 3) call gate from CPL 3: new stack too small
        push    dword 0x23
        push    dword 0x7F00
        push    dword 0x0002
        push    dword 0x1B
        push    dword r3_call
        iretd
.t4:    mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

gate_target:
        PUTC    'X'                             ; not reached: every case faults first
        jmp     pm32.t4

r3_int:
        int     0x32
r3_call:
        push    dword 0x1234
        call    0x43:0

ss_task:                                        ; #SS through the task gate
        PUTC    'S'
        pop     eax                             ; error code
        call    print32
        mov     eax, [0x3020]                   ; task 1's EIP at the fault
        call    print32
        movzx   eax, word [0x304C]              ; and CS
        call    print32
        PUTC    10
        mov     eax, [0x600]                    ; send task 1 back to ring 0
        mov     [0x3020], eax
        mov     dword [0x3024], 2
        mov     dword [0x3038], 0x9000
        mov     dword [0x3048], 0x10
        mov     dword [0x304C], 0x08
        mov     dword [0x3050], 0x10
        mov     dword [0x3054], 0x10
        mov     esp, 0x6000
        iretd
        jmp     ss_task

        RESET_VECTOR
