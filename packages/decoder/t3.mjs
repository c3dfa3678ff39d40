import * as iced from "iced-x86";
const re = new RegExp(process.argv[2]);
for (const [name, v] of Object.entries(iced.Code)) {
  if (typeof v !== "number" || !re.test(name)) continue;
  const info = iced.CodeExt.opCode(v);
  console.log(name.padEnd(40), info.opCodeString.padEnd(34), info.instructionString, info.mode16?"16":"", info.mode32?"32":"", info.mode64?"64":"");
}
