; RingVM system-architecture guest test 11 (issue 5): debug registers (SDM vol. 3, chapter 17).
; Instruction breakpoints (faults, RF), data write and read/write breakpoints with LEN masking
; (traps after the instruction), a REP MOVSB hit (after the iteration), TF merged with a data
; hit (BS and Bn in one #DB), DR7.GD (BD), GD on another #DB, I/O breakpoints (CR4.DE), RF in
; the image of a fault, IRETD loading RF, the MOV SS shadow delaying TF and data traps, a task
; switch clearing L0-L3, TF across INT n, and BS with B0 for a step onto an instruction breakpoint.
; Every #DB prints: D DR6(E00Fh bits) EIP EFLAGS(RF,TF) ECX; other exceptions print E lines.

%include "common.nasm"
NVEC            equ 0x40
DB_ACTION       equ 0x508               ; bit 0: resume with RF, 1: clear TF, 2: DR7 := 0
VAR             equ 0x6000

%macro MARK 1
        PUTC    %1
        PUTC    10
%endmacro

%macro DISARM 0
        xor     eax, eax
        mov     dr7, eax
%endmacro

        REAL_ENTRY
        GDTR_IDTR

        align 8
gdt:
        dq 0                                    ; 00
        dq 0x00CF9B000000FFFF                   ; 08 code, ring 0
        dq 0x00CF93000000FFFF                   ; 10 data, ring 0
        dw 0x67, 0x3000
        db 0, 0x89, 0, 0                        ; 18 TSS1
        dw 0x67, 0x3100
        db 0, 0x89, 0, 0                        ; 20 TSS2
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
        IDT_STUBS
        mov     eax, db_handler                 ; vector 1: the #DB reporter below
        mov     [0x2000+1*8], ax
        shr     eax, 16
        mov     [0x2000+1*8+6], ax
        lidt    [idtr]
        xor     eax, eax
        mov     dr6, eax
        mov     dword [DB_ACTION], 0

; a: instruction breakpoint (DR0, L0, R/W=00, LEN=00): a #DB fault before the instruction. The
;    handler returns with RF set, so the instruction runs; RF is cleared after it, so the next
;    pass faults again.
        MARK    'a'
        mov     dword [DB_ACTION], 1
        mov     eax, t_a
        mov     dr0, eax
        mov     eax, 0x00000001
        mov     dr7, eax
        mov     ecx, 2
t_a:    inc     ebx
        loop    t_a
        DISARM

; b: IRETD loads RF from its image: the breakpointed instruction runs once without a #DB; the
;    second pass faults (the handler disarms: DR7 := 0).
        MARK    'b'
        mov     dword [DB_ACTION], 4
        mov     eax, t_b
        mov     dr1, eax
        mov     eax, 0x00000008                 ; G1, R/W1=00
        mov     dr7, eax
        mov     ecx, 2
        pushfd
        or      dword [esp], 0x10000
        push    dword 0x08
        push    dword t_b
        iretd
t_b:    nop
        loop    t_b

; c: data write breakpoint (DR2, G2, R/W=01, LEN=11: VAR..VAR+3): reads do not hit; writes that
;    touch any byte of the range trap after the instruction.
        MARK    'c'
        mov     dword [DB_ACTION], 0
        mov     eax, VAR
        mov     dr2, eax
        mov     eax, 0x0D000020
        mov     dr7, eax
        mov     eax, [VAR]
        mov     word [VAR+2], 0x1234
        mov     byte [VAR+4], 1
        mov     word [VAR-1], 0x5678
        nop
        DISARM

; d: read/write breakpoint (DR3, G3, R/W=11, LEN=01) at VAR+11h: the low address bit is ignored
;    (range VAR+10h..VAR+11h); a read hits, a PUSH of a dword whose last byte is inside hits.
        MARK    'd'
        mov     eax, VAR+0x11
        mov     dr3, eax
        mov     eax, 0x70000080
        mov     dr7, eax
        mov     al, [VAR+0x10]
        mov     al, [VAR+0x12]
        push    dword [VAR+0x0E]
        add     esp, 4
        DISARM

; e: REP MOVSB with a write breakpoint on the 4th destination byte: the trap comes after that
;    iteration, EIP still on the REP MOVSB, ECX = 4 left; the string then completes.
        MARK    'e'
        mov     eax, VAR+0x23
        mov     dr0, eax
        mov     eax, 0x00010001                 ; L0, R/W0=01, LEN0=00
        mov     dr7, eax
        cld
        mov     esi, VAR+0x100
        mov     edi, VAR+0x20
        mov     ecx, 8
        rep movsb
        PRINT   ecx
        PRINT   edi
        PUTC    10
        DISARM

; f: TF and a data hit on the same instruction: one #DB with BS and B0.
        MARK    'f'
        mov     eax, VAR+0x30
        mov     dr0, eax
        mov     eax, 0x000D0001                 ; L0, R/W0=01, LEN0=11
        mov     dr7, eax
        mov     dword [DB_ACTION], 2
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     dword [VAR+0x30], 1
        nop
        DISARM

; g: DR7.GD: MOV from DR0 is a #DB fault with BD; entering the handler cleared GD, so the
;    instruction then runs.
        MARK    'g'
        mov     dword [DB_ACTION], 0
        mov     eax, 0x2000
        mov     dr7, eax
        mov     eax, dr0
        mov     eax, dr7
        and     eax, 0x2000
        call    print32
        PUTC    10
        DISARM

; h: DR7.GD and a single-step #DB: GD is cleared on entry to any #DB handler (SDM 17.2.4), so
;    the handler's own MOV from DR6 does not fault.
        MARK    'h'
        mov     dword [DB_ACTION], 2
        mov     eax, 0x2000
        mov     dr7, eax
        pushfd
        or      dword [esp], 0x100
        popfd
        nop
        mov     eax, dr7
        and     eax, 0x2000
        call    print32
        PUTC    10
        DISARM

; i: I/O breakpoints (CR4.DE=1, DR1, G1, R/W1=10, LEN1=01: ports 80h-81h): traps after IN/OUT
;    that touch a port of the range.
        MARK    'i'
        mov     dword [DB_ACTION], 0
        mov     eax, cr4
        or      eax, 8
        mov     cr4, eax
        mov     eax, 0x80
        mov     dr1, eax
        mov     eax, 0x00600008
        mov     dr7, eax
        mov     al, 0
        out     0x80, al
        in      al, 0x81
        out     0x82, al
        mov     dx, 0x7F
        out     dx, ax
        nop
        DISARM
        mov     eax, cr4
        and     eax, ~8
        mov     cr4, eax

; j: an instruction breakpoint on an instruction that then faults: #DB first (fault, RF=0 in
;    its image), then with RF the #GP, whose image has RF=1.
        MARK    'j'
        mov     dword [DB_ACTION], 1
        mov     eax, t_j
        mov     dr0, eax
        mov     eax, 0x00000001
        mov     dr7, eax
        SETRESUME j_done
        mov     ax, 0x0123
t_j:    mov     ds, ax
j_done:
        mov     ax, 0x10
        mov     ds, ax
        DISARM

; k: TF set by POPFD, then MOV SS: the single-step trap waits until after the instruction that
;    follows MOV SS (SDM vol. 2 MOV, vol. 3 6.8.3).
        MARK    'k'
        mov     dword [DB_ACTION], 2
        mov     ax, 0x10
        pushfd
        or      dword [esp], 0x100
        popfd
        mov     ss, ax
        nop
        nop

; l: a data breakpoint hit by MOV SS's own read: reported after the next instruction too.
        MARK    'l'
        mov     dword [DB_ACTION], 0
        mov     word [VAR+0x40], 0x10
        mov     eax, VAR+0x40
        mov     dr0, eax
        mov     eax, 0x00070001                 ; L0, R/W0=11, LEN0=01
        mov     dr7, eax
        mov     ss, [VAR+0x40]
        nop
        nop
        DISARM

; m: a task switch clears DR7 L0-L3 and keeps G0-G3 (SDM 17.2.4); the new task prints DR7.
        MARK    'm'
        mov     edi, 0x3000
        xor     eax, eax
        mov     ecx, 0x200/4
        rep stosd
        mov     dword [0x3120], task2           ; EIP
        mov     dword [0x3124], 2               ; EFLAGS
        mov     dword [0x3138], 0x8000          ; ESP
        mov     dword [0x3148], 0x10            ; ES
        mov     dword [0x314C], 0x08            ; CS
        mov     dword [0x3150], 0x10            ; SS
        mov     dword [0x3154], 0x10            ; DS
        mov     word [0x3066], 0x68
        mov     word [0x3166], 0x68
        mov     ax, 0x18
        ltr     ax
        mov     eax, 0xFFFFF000                 ; never reached: DR0/DR1 only need enables
        mov     dr0, eax
        mov     dr1, eax
        mov     eax, 0x0000000F                 ; L0, G0, L1, G1
        mov     dr7, eax
        jmp     0x20:0
task2:  mov     eax, dr7
        and     eax, 0xFF
        call    print32
        PUTC    10
        DISARM

; n: TF and INT 30h: the gate clears TF, so neither INT nor the handler is stepped; IRETD
;    restores TF and the trap comes after the instruction that follows it (SDM 17.3.1.4).
        MARK    'n'
        mov     dword [DB_ACTION], 2
        mov     eax, int30
        mov     [0x2000+0x30*8], ax
        shr     eax, 16
        mov     [0x2000+0x30*8+6], ax
        pushfd
        or      dword [esp], 0x100
        popfd
        int     0x30
        nop
        nop

; o: a single-step trap returning to an instruction with an enabled instruction breakpoint:
;    DR6 reports BS and B0 (the condition is met when the #DB is generated, SDM 17.2.3); the
;    handler returns with RF, so the breakpoint does not fire again.
        MARK    'o'
        mov     eax, t_o
        mov     dr0, eax
        mov     eax, 1
        mov     dr7, eax
        mov     dword [DB_ACTION], 3
        pushfd
        or      dword [esp], 0x100
        popfd
        nop
t_o:    nop
        nop
        DISARM

        MARK    'z'
        mov     al, 0
        out     0xF4, al
.halt:  cli
        hlt
        jmp     .halt

; #DB: prints D, DR6 (B0-B3, BD, BS, BT), the pushed EIP, the pushed EFLAGS' RF and TF, ECX;
; clears DR6 and resumes as DB_ACTION says.
db_handler:
        pushad
        mov     eax, dr6
        mov     ebx, eax
        PUTC    'D'
        mov     eax, ebx
        and     eax, 0xE00F
        call    print32
        PRINT   [esp+32]
        mov     eax, [esp+40]
        and     eax, 0x10100
        call    print32
        PRINT   [esp+24]
        PUTC    10
        xor     eax, eax
        mov     dr6, eax
        mov     eax, [DB_ACTION]
        test    al, 1
        jz      .norf
        or      dword [esp+40], 0x10000
.norf:  test    al, 2
        jz      .notf
        and     dword [esp+40], ~0x100
.notf:  test    al, 4
        jz      .keep
        xor     ebx, ebx
        mov     dr7, ebx
.keep:  popad
        iretd

; other exceptions: E vector error EIP EFLAGS(RF,TF); resumes at RESUME_EIP
exc_common:
        pushad
        mov     ax, 0x10
        mov     ds, ax
        mov     es, ax
        PUTC    'E'
        PRINT   [esp+32]
        PRINT   [esp+36]
        PRINT   [esp+40]
        mov     eax, [esp+48]
        and     eax, 0x10100
        call    print32
        PUTC    10
        mov     ax, 0x10
        mov     ss, ax
        mov     esp, [RESUME_ESP]
        jmp     [RESUME_EIP]

int30:  PUTC    'I'
        PUTC    10
        iretd

        STUB_TABLE
        RESET_VECTOR
