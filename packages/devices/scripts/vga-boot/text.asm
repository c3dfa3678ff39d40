; Boot sector for a board-level VGA check (firmware: SeaBIOS bios-256k.bin + vgabios-stdvga.bin
; via fw_cfg vgaroms/). Prints through INT 10h teletype, turns the cursor off, scrolls a
; window with attribute 1Eh, halts. RingVM and QEMU 7.2 (-vga std, floppy boot) gave
; pixel-identical 720x400 screens (2026-11-30). Build: nasm -f bin -o text.bin text.asm,
; pad to 1474560 bytes for a floppy image.
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
  mov ah, 0x01
  mov cx, 0x2000   ; cursor off
  int 0x10
  mov ax, 0x0600   ; scroll window rows 10-12 with attribute 1Eh (clears to yellow on blue)
  mov bh, 0x1e
  mov cx, 0x0a05
  mov dx, 0x0c40
  int 0x10
.halt:
  hlt
  jmp .halt
msg: db "Text test: ", 0xc9, 0xcd, 0xbb, " 0123456789 abcdefghijklmnopqrstuvwxyz", 13, 10, 0
status: dw 0
times 510 - ($ - $$) db 0
dw 0xaa55
