// Import boundaries between RingVM packages (ARCHITECTURE.md, STYLE.md b8).
// The table is the single statement of who may import whom; lint enforces it.
import path from "node:path";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import { importX } from "eslint-plugin-import-x";

/** Workspace package -> the @ringvm packages it may import at run time. */
export const ALLOWED_IMPORTS = Object.freeze({
  decoder: [],
  bus: [],
  memory: ["bus"],
  cpu: ["decoder", "bus"],
  recompiler: ["decoder", "cpu", "bus"],
  devices: ["bus"],
  hypervisor: ["decoder", "bus", "memory", "cpu", "recompiler"],
  pc: ["decoder", "bus", "memory", "cpu", "recompiler", "devices", "hypervisor"],
  // Apps are thin: they talk to the board; the CLI's developer tools also use the
  // decoder (`ringvm disasm`) and the CPU's test runner (`ringvm ssts`).
  cli: ["pc", "decoder", "cpu"],
  web: ["pc"],
});

const PACKAGES = ["decoder", "bus", "memory", "cpu", "recompiler", "devices", "hypervisor", "pc"];

/**
 * A relative import must stay inside the importing package: reaching into a
 * sibling's folder (`../../cpu/src/x`) bypasses its public surface.
 */
const noCrossPackageRelative = {
  meta: {
    type: "problem",
    docs: { description: "forbid relative imports that leave the package" },
    schema: [{ type: "object", properties: { root: { type: "string" } } }],
    messages: {
      escapes:
        "'{{source}}' leaves this package; import the other package by name through its public surface.",
    },
  },
  create(context) {
    const root = context.options[0]?.root;
    if (!root) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== "string" || !source.startsWith(".")) return;
      const target = path.resolve(path.dirname(context.filename), source);
      const rel = path.relative(root, target);
      if (rel.startsWith("..") || path.isAbsolute(rel)) {
        context.report({ node: node.source, messageId: "escapes", data: { source } });
      }
    };
    return {
      ImportDeclaration: check,
      ExportAllDeclaration: check,
      ExportNamedDeclaration: check,
      ImportExpression: check,
    };
  },
};

export const ringvmPlugin = { rules: { "no-cross-package-relative": noCrossPackageRelative } };

/**
 * Lint rules that hold one package to its row of the boundary table.
 * @param {keyof typeof ALLOWED_IMPORTS} name package folder name
 * @param {string} root absolute path of the package (pass `import.meta.dirname`)
 */
export function boundaries(name, root) {
  const allowed = ALLOWED_IMPORTS[name];
  if (!allowed) throw new Error(`unknown RingVM package '${name}'`);
  const forbidden = PACKAGES.filter((p) => p !== name && !allowed.includes(p));
  const patterns = [
    {
      regex: "^@ringvm/[^/]+/(src|internal|dist)(/|$)",
      message: "Deep import into another package; use its public exports.",
    },
  ];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^@ringvm/(${forbidden.join("|")})(/|$)`,
      message: `@ringvm/${name} may import only: ${allowed.length ? allowed.join(", ") : "no RingVM package"} (ARCHITECTURE.md).`,
    });
  }
  return [
    {
      files: ["**/*.{ts,tsx,js,mjs}"],
      plugins: { ringvm: ringvmPlugin, "import-x": importX },
      settings: {
        "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
        "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
        "import-x/resolver-next": [
          createTypeScriptImportResolver({
            project: path.join(root, "tsconfig.json"),
            conditionNames: ["@ringvm/source", "types", "import", "default"],
          }),
        ],
      },
      rules: {
        "no-restricted-imports": ["error", { patterns }],
        "ringvm/no-cross-package-relative": ["error", { root }],
        "import-x/no-cycle": ["error", { ignoreExternal: true }],
      },
    },
  ];
}
