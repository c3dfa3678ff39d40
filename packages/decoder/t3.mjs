import * as iced from "iced-x86";
const want = process.argv[2];
for (const [name, v] of Object.entries(iced.Code)) {
  if (typeof v !== "number") continue;
  let info; try { info = iced.CodeExt.opCode(v); } catch { continue; }
  if (info.encoding !== iced.EncodingKind.Legacy) continue;
  const s = info.opCodeString;
  if (new RegExp(want).test(s)) console.log(name.padEnd(34), s.padEnd(28), info.instructionString, info.mode16?"16":"", info.mode32?"32":"", info.mode64?"64":"");
  info.free();
}
