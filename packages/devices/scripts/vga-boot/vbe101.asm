; Boot sector for a board-level VBE check: INT 10h 4F02h mode 101h (640x480x8, banked),
; DAC entries 1-2 via ports, stripes in bank 0, bank 1 via 4F05h, halt. RingVM and QEMU 7.2
; gave pixel-identical 640x480 screens (2026-11-30). Build as text.asm.
bits 16
org 0x7c00
start:
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  ; teletype a line in text mode first
  mov si, msg
.print:
  lodsb
  test al, al
  jz .done
  mov ah, 0x0e
  mov bx, 0x0007
  int 0x10
  jmp .print
.done:
  ; VBE mode 101h: 640x480x8, banked window at A000h
  mov ax, 0x4f02
  mov bx, 0x0101
  int 0x10
  mov [status], ax
  ; palette: set DAC 1..3 via ports
  mov dx, 0x3c8
  mov al, 1
  out dx, al
  inc dx
  mov al, 63
  out dx, al
  xor al, al
  out dx, al
  out dx, al      ; 1 = red
  xor al, al
  out dx, al
  mov al, 63
  out dx, al
  xor al, al
  out dx, al      ; 2 = green
  ; fill the first 64 KiB bank: stripes
  mov ax, 0xa000
  mov es, ax
  xor di, di
  mov cx, 0x8000
.fill:
  mov ax, di
  shr ax, 5
  and al, 1
  inc al
  mov ah, al
  stosw
  loop .fill
  ; bank 1 via INT 10h 4F05
  mov ax, 0x4f05
  xor bx, bx
  mov dx, 1
  int 0x10
  xor di, di
  mov cx, 0x4000
  mov ax, 0x0202
  rep stosw
.halt:
  hlt
  jmp .halt
msg: db "VBE test", 13, 10, 0
status: dw 0
times 510 - ($ - $$) db 0
dw 0xaa55
