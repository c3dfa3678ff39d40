// The `ringvm` command line: argument parsing only; the work happens in @ringvm/pc.
import { Command, CommanderError } from "commander";
import { VERSION } from "@ringvm/pc";
import { registerDisasm } from "./disasm";

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** Builds the command tree. Each subcommand lives in its own module. */
export function createProgram(io: CliIo): Command {
  const program = new Command("ringvm")
    .description("RingVM: an x86 PC emulator in TypeScript")
    .version(VERSION, "-V, --version")
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride()
    .showHelpAfterError("(run `ringvm --help` for usage)");
  registerDisasm(program, io);
  return program;
}

/** Runs the CLI and returns the process exit code; never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    if (argv.length === 0) {
      // The default guest is not wired yet: show what there is.
      program.outputHelp();
      return 0;
    }
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    io.stderr(`ringvm: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
