import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { connection } from "next/server";
import { isAuthenticated } from "@/lib/auth/guard";
import { accessSettings } from "@/lib/auth/settings";
import { SignOutButton } from "./_components/SignOutButton";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tidecast",
  description: "Self-hosted time-series forecasting with recurrent networks",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: each response carries its own CSP nonce (see proxy.ts), and
  // whether sign-in is on is read at run time, not at build time.
  await connection();
  const settings = accessSettings();
  const signedIn = settings.password !== null && (await isAuthenticated(await headers(), settings));
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand" aria-label="Tidecast home">
            <span className="brand-mark" aria-hidden="true">≈</span> Tidecast
          </Link>
          <nav aria-label="Main">
            <Link href="/">Datasets</Link>
          </nav>
          {signedIn && (
            <div className="topbar-end">
              <SignOutButton />
            </div>
          )}
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
