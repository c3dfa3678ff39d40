; A real-mode guest for the hypervisor's Cpu test: installs an IRQ0 handler (vector 8), halts
; until five timer interrupts have arrived, reports each tick on port 0x80 and the final count on
; port 0xE9, then writes the power-off port 0x604. Loaded at 0000:1000.
; Rebuild: nasm -f bin -o timer-hlt.bin timer-hlt.asm && xxd -p timer-hlt.bin (see gen.sh)
bits 16
org 0x1000
start:
  xor ax, ax                      ; 1
  mov ds, ax                      ; 2
  mov ss, ax                      ; 3
  mov sp, 0x8000                  ; 4
  mov word [8 * 4], timer_isr     ; 5
  mov word [8 * 4 + 2], 0         ; 6
  mov word [count], 0             ; 7
  sti                             ; 8
wait_tick:
  hlt                             ; 9
  cmp word [count], 5
  jb wait_tick
  cli
  mov al, [count]
  out 0xe9, al
  mov dx, 0x604
  mov ax, 0x2000
  out dx, ax
stop:
  hlt
  jmp stop
timer_isr:
  inc word [count]                ; +1 after the tick
  mov al, [count]                 ; +2
  out 0x80, al                    ; +3: executes with 2 instructions retired since the tick
  iret
count:
  dw 0
