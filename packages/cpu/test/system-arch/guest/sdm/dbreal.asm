; RingVM real-mode instruction breakpoint (issue 5); expectation from the SDM (vol. 3, 17.2.1:
; DR0-DR3 hold linear addresses, compared before translation; 20.1.4: #DB through the IVT in
; real mode). With CS = F000h, DR0 = F002Bh (linear) must fire at IP 002Bh. QEMU 7.2 crashes
; (segmentation fault) on this image: it matches instruction breakpoints against EIP, not the
; linear address, so a breakpoint whose CS base is not 0 never resolves.
%include "common.nasm"
NVEC equ 0x20
        bits 16
start:
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [4], R(dbh)       ; IVT vector 1 -> F000:dbh
        mov word [6], 0xF000
        mov eax, LIN(target)       ; linear F0000 + offset
        mov dr0, eax
        mov eax, 1
        mov dr7, eax
        mov cx, 2
target: nop
        loop target
        mov al, 'z'
        out 0xE9, al
        mov al, 10
        out 0xE9, al
        mov al, 0
        out 0xF4, al
        hlt
dbh:    push bp
        mov bp, sp
        mov al, 'D'
        out 0xE9, al
        mov ax, [bp+2]            ; IP
        call hex16
        mov al, 10
        out 0xE9, al
        xor eax, eax
        mov dr7, eax
        pop bp
        iret
hex16:  mov bx, ax
        mov cx, 4
.l:     rol bx, 4
        mov al, bl
        and al, 15
        add al, '0'
        cmp al, '9'
        jbe .o
        add al, 7
.o:     out 0xE9, al
        loop .l
        ret
        RESET_VECTOR
