// The `ringvm` command line: argument parsing only; the work happens in @ringvm/pc.
import { Command, CommanderError } from "commander";
import { VERSION } from "@ringvm/pc";
import { registerDisasm } from "./disasm";
import { defaultGuestOptions, registerRun, runMachine, type RunIo } from "./run";
import { registerSsts } from "./ssts";

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Streams for the guest console (`ringvm run`); default: process stdin/stdout. */
  console?: Omit<RunIo, "stderr">;
}

function consoleOf(io: CliIo): RunIo {
  const stdout = process.stdout;
  const streams = io.console ?? {
    writeOut: (data: Uint8Array) => void stdout.write(data),
    isOutputTty: stdout.isTTY,
    input: process.stdin,
    terminal: {
      get columns() {
        return stdout.columns;
      },
      get rows() {
        return stdout.rows;
      },
      colorDepth: stdout.isTTY ? stdout.getColorDepth() : 4,
      cursorStyle: process.env["TERM"] !== "linux",
      onResize: (listener: () => void) => {
        stdout.on("resize", listener);
        return () => void stdout.removeListener("resize", listener);
      },
    },
  };
  return { ...streams, stderr: io.stderr };
}

/** Builds the command tree. Each subcommand lives in its own module. */
export function createProgram(
  io: CliIo,
  setExit: (code: number) => void = () => undefined,
): Command {
  const program = new Command("ringvm")
    .description("RingVM: an x86 PC emulator in TypeScript")
    .version(VERSION, "-V, --version")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError("(run `ringvm --help` for usage)");
  registerDisasm(program, io);
  registerRun(program, () => consoleOf(io), setExit);
  registerSsts(program, io, setExit);
  return program;
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = createProgram(io, (code) => {
    exitCode = code;
  });
  try {
    if (argv.length === 0) {
      // The main job: boot the default guest from guests/ to a shell on this terminal.
      return await runMachine(defaultGuestOptions(), consoleOf(io));
    }
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(`ringvm: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
