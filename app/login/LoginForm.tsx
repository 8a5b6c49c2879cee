"use client";

import { useState } from "react";

/** The password form: POST /api/session, then a full load of the page asked for. */
export function LoginForm({ next }: { next: string }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const res = await fetch("/api/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ password }),
      });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      setError(body?.error?.message ?? `Sign-in failed (HTTP ${res.status}).`);
    } catch (err) {
      setError((err as Error).message);
    }
    setBusy(false);
  };

  return (
    <form onSubmit={submit} aria-label="Sign in">
      <label className="field" htmlFor="login-password">
        Password
      </label>
      <div className="row">
        <input
          id="login-password"
          type="password"
          autoComplete="current-password"
          autoFocus
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "login-error" : undefined}
        />
        <button type="submit" className="btn" disabled={busy || password === ""}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </div>
      {error && (
        <p id="login-error" className="error-box" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
