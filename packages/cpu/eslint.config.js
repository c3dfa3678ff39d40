import { boundaries, library } from "@ringvm/eslint-config";

export default [
  ...library,
  ...boundaries("cpu", import.meta.dirname),
  // The benchmark (issue #5: paging on) runs the interpreter on the board's real memory path,
  // so bench/ alone may also import @ringvm/memory (a devDependency; src/ may not).
  {
    files: ["bench/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^@ringvm/[^/]+/(src|internal|dist)(/|$)",
              message: "Deep import into another package; use its public exports.",
            },
            {
              regex: "^@ringvm/(recompiler|devices|hypervisor|pc)(/|$)",
              message: "The cpu benchmark may import only decoder, bus and memory.",
            },
          ],
        },
      ],
    },
  },
];
