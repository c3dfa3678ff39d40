; Bench/differential guest: the Linux kernel's mpihelp_submul_1 (lib/crypto/mpi, generic C,
; i386 gcc -O2 -mregparm=3), byte for byte as the Debian 6.1 686 kernel has it at 0xc14a42b5
; (the hot loop of the kernel's crypto self-test, ~3.1e9 of the boot's 6.46e9 instructions),
; called repeatedly. Flat 32-bit ring 0, loaded at 0x10000 (test/support/machine.ts); the
; function sits at the same page offset as in the kernel, so its region has the same shape.
; Parameters at PARAMS (written by the test): +0 calls, +4 limbs, +8 the multiplier limb.
; res[0..n) -= s1[0..n) * limb each call; the borrow of every call is added into SUM.
; Build: nasm -f bin -o mpi-loop.bin mpi-loop.asm  (scripts/build-guests.sh)
bits 32
org 0x10000

PARAMS  equ 0x40000
SUM     equ 0x40010
S1      equ 0x41000
RES     equ 0x42000

start:
        mov ebx, [PARAMS]
.call:  mov eax, RES
        mov edx, S1
        mov ecx, [PARAMS + 4]
        push dword [PARAMS + 8]
        call submul_1
        add esp, 4
        add [SUM], eax
        dec ebx
        jnz .call
        hlt

        times 0x2b5 - ($ - $$) db 0xcc

; mpihelp_submul_1(res_ptr = eax, s1_ptr = edx, s1_size = ecx, s2_limb = [esp+4]) -> borrow
submul_1:
        push ebp
        mov ebp, esp
        push edi
        mov edi, ecx
        push esi
        neg edi
        push ebx
        sub esp, byte 0x1c
        mov [ebp-0x24], eax
        mov eax, [ebp+0x8]
        mov [ebp-0x10], edi
        mov esi, eax
        movzx eax, ax
        mov [ebp-0x20], eax
        lea eax, [dword ecx*4+0x0]
        shr esi, 0x10
        mov [ebp-0x1c], eax
        add eax, edx
        mov [ebp-0x28], eax
        mov [ebp-0x18], esi
        xor esi, esi
        lea esi, [dword esi+0x0]
.loop:  mov ecx, [ebp-0x10]
        mov eax, [ebp-0x28]
        mov ebx, [ebp-0x20]
        mov edi, [ebp-0x18]
        mov edx, [eax+ecx*4]
        mov eax, ebx
        movzx ecx, dx
        shr edx, 0x10
        imul eax, ecx
        imul ebx, edx
        imul ecx, edi
        imul edx, edi
        mov edi, eax
        movzx eax, ax
        shr edi, 0x10
        add ecx, ebx
        mov [ebp-0x14], edx
        mov edx, edi
        add edx, ecx
        mov ecx, [ebp-0x14]
        add ecx, 0x10000
        cmp edx, ebx
        mov edi, ecx
        mov ecx, edx
        cmovnc edi, [ebp-0x14]
        add eax, esi
        shl ecx, 0x10
        xor ebx, ebx
        add eax, ecx
        mov ecx, [ebp-0x1c]
        cmp eax, esi
        mov esi, edx
        mov edx, [ebp-0x24]
        setc bl
        shr esi, 0x10
        add edx, ecx
        mov ecx, [ebp-0x10]
        mov ecx, [edx+ecx*4]
        sub ecx, eax
        mov eax, [ebp-0x10]
        adc ebx, esi
        mov [edx+eax*4], ecx
        mov ecx, eax
        lea esi, [ebx+edi]
        add ecx, byte 0x1
        mov [ebp-0x10], ecx
        jnz .loop
        add esp, byte 0x1c
        mov eax, esi
        pop ebx
        pop esi
        pop edi
        pop ebp
        ret
