; Differential/bench guest: flat 32-bit ring 0, loaded at 0x10000 (test/support/machine.ts).
; Sieve of Eratosthenes, recursive Fibonacci (call/ret), bubble sort, a string copy with
; rep movsd, a checksum with shifts and a self-modifying loop. Results land at RESULT.
; Build: nasm -f bin -o workload.bin workload.asm  (scripts in ../../scripts/build-guests.sh)
bits 32
org 0x10000

DATA    equ 0x40000
RESULT  equ 0x48000
N       equ 4096

start:
        ; --- sieve of Eratosthenes over N bytes ---
        mov edi, DATA
        mov ecx, N
        mov al, 1
        rep stosb
        mov ebx, 2
.outer: mov eax, ebx
        imul eax, ebx
        cmp eax, N
        jae .count
        cmp byte [DATA + ebx], 0
        je .next
        mov edx, eax
.mark:  mov byte [DATA + edx], 0
        add edx, ebx
        cmp edx, N
        jb .mark
.next:  inc ebx
        jmp .outer
.count: xor eax, eax
        mov ecx, 2
.cnt:   movzx edx, byte [DATA + ecx]
        add eax, edx
        inc ecx
        cmp ecx, N
        jne .cnt
        mov [RESULT], eax            ; primes below 4096: 564

        ; --- recursive Fibonacci(18) ---
        push 18
        call fib
        add esp, 4
        mov [RESULT + 4], eax        ; 2584

        ; --- bubble sort of 64 dwords (descending LCG values) ---
        mov ecx, 64
        mov eax, 12345
        mov edi, DATA + 0x2000
.fill:  imul eax, eax, 1103515245
        add eax, 12345
        mov [edi], eax
        add edi, 4
        loop .fill
        mov esi, 63
.pass:  xor ebx, ebx
        mov edi, DATA + 0x2000
.cmp:   mov eax, [edi]
        mov edx, [edi + 4]
        cmp eax, edx
        jbe .ok
        mov [edi], edx
        mov [edi + 4], eax
.ok:    add edi, 4
        inc ebx
        cmp ebx, esi
        jb .cmp
        dec esi
        jnz .pass
        mov eax, [DATA + 0x2000]
        mov [RESULT + 8], eax

        ; --- rep movsd copy and a rotate/shift checksum ---
        cld
        mov esi, DATA + 0x2000
        mov edi, DATA + 0x3000
        mov ecx, 64
        rep movsd
        mov esi, DATA + 0x3000
        mov ecx, 256
        xor eax, eax
.sum:   movzx edx, byte [esi]
        shl eax, 5
        sar eax, 1
        xor eax, edx
        rol eax, 3
        inc esi
        dec ecx
        jnz .sum
        mov [RESULT + 12], eax

        ; --- self-modifying loop: the immediate of an ADD changes every pass ---
        xor eax, eax
        mov ecx, 10
.smc:   mov [.patch + 2], cl
.patch: add eax, 0x7f                ; 83 C0 ib: ib rewritten to ECX before each pass
        dec ecx
        jnz .smc
        mov [RESULT + 16], eax       ; 10+9+...+1 = 55
        hlt

fib:    mov eax, [esp + 4]
        cmp eax, 2
        jb .done
        push ebx
        lea ebx, [eax - 1]
        push ebx
        call fib
        add esp, 4
        push eax
        dec ebx
        push ebx
        call fib
        add esp, 4
        pop ebx
        add eax, ebx
        pop ebx
.done:  ret
