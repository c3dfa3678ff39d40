// Shared ESLint flat configuration for RingVM packages.
import eslintConfigPrettier from "eslint-config-prettier/flat";
import tseslint from "typescript-eslint";

export { ALLOWED_IMPORTS, boundaries, ringvmPlugin } from "./boundaries.js";

/** Base rules for every TypeScript package (no type information needed: fast). */
export const library = [
  {
    ignores: ["dist/**", "node_modules/**", "src/generated/**", "coverage/**", "test/fixtures/**"],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-restricted-syntax": [
        "error",
        { selector: "ExportAllDeclaration", message: "Export names explicitly (STYLE.md b10)." },
      ],
    },
  },
  eslintConfigPrettier,
];
