/** The password the browser tests' server runs with (playwright.config.ts) and the tests sign in with. */
export const E2E_PASSWORD = process.env.E2E_PASSWORD || "e2e sign-in password";
