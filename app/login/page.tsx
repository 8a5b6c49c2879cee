import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { isAuthenticated } from "@/lib/auth/guard";
import { accessSettings } from "@/lib/auth/settings";
import { LoginForm } from "./LoginForm";

export const dynamic = "force-dynamic";

/** Only paths of this app: "/series/3", never "//evil.example" or "https://…". */
function safeNext(raw: string | string[] | undefined): string {
  const next = typeof raw === "string" ? raw : "";
  return /^\/(?![/\\])/.test(next) ? next : "/";
}

/** /login: the password form (only when TIDECAST_PASSWORD is set; otherwise there is nothing to sign in to). */
export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNext((await searchParams).next);
  const settings = accessSettings();
  if (settings.password === null || (await isAuthenticated(await headers(), settings))) redirect(next);
  return (
    <section className="panel login-panel">
      <h1>Sign in</h1>
      <p className="subtle">This Tidecast server asks for its password.</p>
      <LoginForm next={next} />
    </section>
  );
}
