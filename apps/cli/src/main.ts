import process from "node:process";
import { relaunchWithPoolSize } from "./host-threads";
import { runCli } from "./program";

// On a host with few cores, run again with fewer V8 workers (host-threads.ts); the child's exit
// code is ours.
const relaunched = await relaunchWithPoolSize();
const code =
  relaunched ??
  (await runCli(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  }));
// Exit once stdout has drained: a paused stdin (the guest console) must not keep us alive.
process.stdout.write("", () => process.exit(code));
