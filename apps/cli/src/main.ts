import process from "node:process";
import { runCli } from "./program";

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});
// Exit once stdout has drained: a paused stdin (the guest console) must not keep us alive.
process.stdout.write("", () => process.exit(code));
