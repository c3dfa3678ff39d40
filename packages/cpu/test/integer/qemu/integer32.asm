; RingVM integer guest test (issue 5): 32-bit stack instructions (PUSHAD/POPAD, ENTER/LEAVE
; with nesting, PUSH/POP with ESP-based operands, PUSH ESP/POP ESP, CALL/RET imm16, 16-bit
; pushes), BOUND, XLAT, 16-bit addressing from 32-bit code, CMPXCHG8B, and the BCD
; instructions (defined flags only) over a table of inputs. Runs as a 64 KiB BIOS from reset;
; every result goes to the debug console (port 0xE9) as hex; QEMU (TCG) records the expected
; output, RingVM must reproduce it byte for byte. Build: sh build.sh

        cpu     686
        org     0xF0000

%define LIN(x)  ((x) - $$ + 0xF0000)

%macro PUTC 1
        mov     al, %1
        out     0xE9, al
%endmacro
%macro PR 1                                     ; print a 32-bit value and a space
        push    eax
        mov     eax, %1
        call    print32
        pop     eax
%endmacro

        bits    16
start:
        cli
        xor     ax, ax
        mov     ds, ax
        mov     ss, ax
        mov     sp, 0x7000
        lgdt    [cs:gdtr - $$]
        mov     eax, cr0
        or      al, 1
        mov     cr0, eax
        jmp     dword 0x08:pm32

        bits    32
pm32:
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        mov     fs, ax
        mov     gs, ax
        mov     ss, ax
        mov     esp, 0x8000

; ---- 1. PUSHAD/POPAD ----
        PUTC    'A'
        mov     eax, 0x11111111
        mov     ecx, 0x22222222
        mov     edx, 0x33333333
        mov     ebx, 0x44444444
        mov     ebp, 0x55555555
        mov     esi, 0x66666666
        mov     edi, 0x77777777
        pushad
        mov     esi, esp
        mov     ecx, 8
.a1:    PR      [esi]
        add     esi, 4
        loop    .a1
        mov     dword [esp+12], 0xdeadbeef      ; the saved ESP slot is skipped by POPAD
        mov     dword [esp+28], 0xabcdef01      ; saved EAX
        popad
        PR      eax
        PR      esp
        PR      esi
        PUTC    10

; ---- 2. ENTER/LEAVE ----
        PUTC    'E'
        mov     ebp, 0x7800
        mov     dword [0x77fc], 0xaaaa0001
        mov     dword [0x77f8], 0xaaaa0002
        mov     dword [0x77f4], 0xaaaa0003
        mov     esi, esp
        enter   12, 0
        PR      ebp
        mov     eax, esi
        sub     eax, esp
        PR      eax
        leave
        PR      ebp
        mov     eax, esi
        sub     eax, esp
        PR      eax
        enter   8, 3
        PR      ebp
        mov     eax, esi
        sub     eax, esp
        PR      eax
        mov     ecx, 6
        mov     edi, esp
.e1:    PR      [edi]
        add     edi, 4
        loop    .e1
        leave
        PR      ebp
        o16 enter 4, 2
        mov     eax, esi
        sub     eax, esp
        PR      eax
        o16 leave
        mov     eax, esi
        sub     eax, esp
        PR      eax
        PUTC    10

; ---- 3. PUSH/POP with ESP ----
        PUTC    'P'
        mov     esi, esp
        push    dword 0x12345678
        push    dword [esp]                     ; pushes the value at the old top
        pop     eax
        PR      eax
        push    dword 0xcafef00d
        pop     dword [esp]                     ; address computed after the increment
        pop     eax
        PR      eax
        mov     eax, esi
        sub     eax, esp
        PR      eax
        push    esp
        pop     eax
        sub     eax, esp
        PR      eax
        mov     eax, esp
        push    dword 0x6000
        pop     esp
        mov     ebx, esp
        mov     esp, eax
        PR      ebx
        push    word 0x1234
        push    ax
        pop     ecx
        PR      ecx
        mov     eax, esi
        sub     eax, esp
        PR      eax
        call    .p1
        jmp     .p2
.p1:    ret     8
.p2:    mov     eax, esi
        sub     eax, esp
        PR      eax
        mov     esp, esi
        PUTC    10

; ---- 4. BOUND, XLAT, 16-bit addressing, CMPXCHG8B ----
        PUTC    'B'
        mov     dword [0x3000], -5
        mov     dword [0x3004], 7
        mov     eax, -5
        bound   eax, [0x3000]
        mov     eax, 7
        bound   eax, [0x3000]
        PR      eax
        mov     ebx, 0x3100
        mov     ecx, 256
.b1:    mov     [ebx+ecx-1], cl
        loop    .b1
        mov     eax, 0xffffff7f
        xlatb
        PR      eax
        mov     bx, 0x3100
        mov     si, 0x0010
        a16 lea eax, [bx+si+0x20]
        PR      eax
        mov     bx, 0xfff0
        mov     si, 0x0020
        a16 lea eax, [bx+si+0x10]               ; wraps at 64 KiB
        PR      eax
        mov     bx, 0x3100
        a16 mov eax, [bx+si]
        PR      eax
        mov     dword [0x3200], 0x11112222
        mov     dword [0x3204], 0x33334444
        mov     eax, 0x11112222
        mov     edx, 0x33334444
        mov     ebx, 0x55556666
        mov     ecx, 0x77778888
        cmpxchg8b [0x3200]
        pushfd
        pop     esi
        and     esi, 0x40
        PR      esi
        PR      [0x3200]
        PR      [0x3204]
        cmpxchg8b [0x3200]
        pushfd
        pop     esi
        and     esi, 0x40
        PR      esi
        PR      eax
        PR      edx
        PUTC    10

; ---- 5. BCD over a table of AX values and carry/adjust flags ----
        PUTC    'D'
        xor     edi, edi
.d1:    mov     eax, edi
        and     eax, 0xff
        imul    eax, eax, 0x9d                  ; spread the 256 inputs over AL values
        mov     ah, al
        xor     ah, 0x5a
        mov     ebx, edi
        and     ebx, 3
        shl     ebx, 0                          ; bit0 -> CF, bit1 -> AF
        mov     edx, ebx
        and     edx, 1
        test    ebx, 2
        jz      .d2
        or      edx, 0x10
.d2:    push    edx
        popfd
        mov     esi, eax
        daa
        call    pflags_daa
        mov     eax, esi
        push    edx
        popfd
        das
        call    pflags_daa
        mov     eax, esi
        push    edx
        popfd
        aaa
        call    pflags_aaa
        mov     eax, esi
        push    edx
        popfd
        aas
        call    pflags_aaa
        mov     eax, esi
        aam     10
        call    pflags_aam
        mov     eax, esi
        aam     7
        call    pflags_aam
        mov     eax, esi
        aad     10
        call    pflags_aam
        mov     eax, esi
        aad     3
        call    pflags_aam
        inc     edi
        cmp     edi, 64
        jb      .d1
        PUTC    10
        PUTC    'Z'
        PUTC    10
        mov     al, 0
        out     0xF4, al
        hlt

; DAA/DAS: result and CF AF ZF SF PF (OF undefined)
pflags_daa:
        pushfd
        and     dword [esp], 0xd5
        jmp     pflags_common
; AAA/AAS: result and CF AF (the others undefined)
pflags_aaa:
        pushfd
        and     dword [esp], 0x11
        jmp     pflags_common
; AAM/AAD: result and SF ZF PF (OF AF CF undefined)
pflags_aam:
        pushfd
        and     dword [esp], 0xc4
pflags_common:
        and     eax, 0xffff
        shl     eax, 16
        or      eax, [esp]
        add     esp, 4
        call    print32
        ret

print32:                                        ; EAX as 8 hex digits and a space
        pushad
        mov     ecx, 8
.l:     rol     eax, 4
        mov     ebx, eax
        and     ebx, 0x0F
        mov     dl, [cs:LIN(hexdigits) + ebx]
        xchg    eax, edx
        out     0xE9, al
        xchg    eax, edx
        loop    .l
        mov     al, ' '
        out     0xE9, al
        popad
        ret

hexdigits: db "0123456789abcdef"

        align   8
gdt:    dq      0
        dq      0x00CF9B000000FFFF              ; 0x08: flat 32-bit code
        dq      0x00CF93000000FFFF              ; 0x10: flat 32-bit data
gdt_end:
gdtr:   dw      gdt_end - gdt - 1
        dd      LIN(gdt)

        times   0xFFF0 - ($ - $$) db 0xF4
        bits    16
        jmp     0xF000:start - $$
        times   0x10000 - ($ - $$) db 0xF4
