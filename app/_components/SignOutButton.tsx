"use client";

/** "Sign out" in the header (shown when the server has a password): clears the session cookie. */
export function SignOutButton() {
  const signOut = async () => {
    await fetch("/api/session", { method: "DELETE" }).catch(() => undefined);
    // eslint-disable-next-line @next/next/no-location-assign-relative-destination -- a full page load after sign out: no client state of the signed-in session survives
    window.location.assign("/login");
  };
  return (
    <button type="button" className="btn secondary" onClick={() => void signOut()}>
      Sign out
    </button>
  );
}
