import type { Metadata } from "next";
import Link from "next/link";
import "./globals.css";

export const metadata: Metadata = {
  title: "Tidecast",
  description: "Self-hosted time-series forecasting with recurrent networks",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <Link href="/" className="brand" aria-label="Tidecast home">
            <span className="brand-mark" aria-hidden="true">≈</span> Tidecast
          </Link>
          <nav aria-label="Main">
            <Link href="/">Datasets</Link>
            <Link href="/overview">Overview</Link>
          </nav>
        </header>
        <main className="page">{children}</main>
      </body>
    </html>
  );
}
