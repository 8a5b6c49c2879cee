// ESLint (flat config): Next.js's rules (core web vitals, React, hooks, accessibility, imports)
// and typescript-eslint's recommended rules, both through eslint-config-next. Next 16 has no
// `next lint`: `npm run lint` runs eslint directly (warnings fail too), then the layering check
// (scripts/check-layers.ts).
//
// Exceptions to a rule live here, scoped and with their reason, or, for one line, in an
// `eslint-disable-next-line <rule> -- <reason>` comment (a reason is required; a blanket
// `eslint-disable` of every rule is refused).
import { defineConfig, globalIgnores } from "eslint/config";
import comments from "@eslint-community/eslint-plugin-eslint-comments/configs";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

/** Every react-hooks rule the Next.js config turns on. */
const reactHooksRules = Object.keys(Object.assign({}, ...nextVitals.map((c) => c.rules ?? {}))).filter((r) => r.startsWith("react-hooks/"));

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  comments.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "@eslint-community/eslint-comments/require-description": ["error", { ignore: [] }],
      "@eslint-community/eslint-comments/no-unlimited-disable": "error",
      // An argument named `_x` is unused on purpose (an interface's parameter one implementation ignores).
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // React's hook rules are for React code, which lives in app/. Elsewhere a `use…` name is an
    // ordinary function (lib/tensor's useKernels picks a kernel set, the tests' useTempDatabase
    // points a test at a SQLite file), and the hook rules would misread it.
    files: ["**/*.{js,jsx,mjs,ts,tsx,mts,cts}"],
    ignores: ["app/**"],
    rules: Object.fromEntries(reactHooksRules.map((r) => [r, "off"])),
  },
  globalIgnores([
    ".next/**",
    "prisma/generated/**", // written by `prisma generate`
    "prisma/postgresql/generated/**", // likewise, for PostgreSQL
    "test-results/**",
    "playwright-report/**",
    "tmp/**",
    "data/**",
    "bench/out/**",
    "next-env.d.ts",
  ]),
]);
