; Port-I/O script runner for the chipset QEMU oracle (see gen-chipset-vectors.py).
; SeaBIOS boots this sector; it loads the script (4-byte ops at 7E00h) with INT 13h AH=42h,
; runs it with interrupts off, sends every IN result to the debug console (port E9h), and
; exits QEMU through isa-debug-exit (port F4h).
; Ops: 1 = OUT port,value; 2 = IN port (emit); 3 = WAIT until IN port & mask (emit 1/0);
; 0 = end.
bits 16
org 0x7c00
  cli
  cld
  xor ax, ax
  mov ds, ax
  mov es, ax
  mov ss, ax
  mov sp, 0x7c00
  mov si, dap
  mov ah, 0x42
  int 0x13
  jc fail
  mov al, 'R'
  call emit
  mov al, '{'
  call emit
  mov si, 0x7e00
next:
  lodsb
  mov bl, al
  lodsw
  mov dx, ax
  lodsb
  cmp bl, 1
  je op_out
  cmp bl, 2
  je op_in
  cmp bl, 3
  je op_wait
  jmp finish
op_out:
  out dx, al
  jmp next
op_in:
  in al, dx
  call emit
  jmp next
op_wait:
  mov bh, al
  mov cx, 0xffff
.poll:
  in al, dx
  test al, bh
  jnz .met
  push cx
  mov cx, 64
.delay:
  loop .delay
  pop cx
  loop .poll
  xor al, al
  call emit
  jmp next
.met:
  mov al, 1
  call emit
  jmp next
emit:
  push dx
  mov dx, 0xe9
  out dx, al
  pop dx
  ret
fail:
  mov al, 'F'
  call emit
finish:
  mov al, '}'
  call emit
  mov dx, 0xf4
  xor al, al
  out dx, al
  hlt
  jmp finish
dap:
  db 0x10, 0
  dw SECTORS
  dw 0x7e00, 0
  dq 1
times 510-($-$$) db 0
dw 0xaa55
