"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

export function DeleteDatasetButton({ id, name }: { id: number; name: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  async function onDelete() {
    if (!window.confirm(`Delete dataset "${name}" with all its series, runs and forecasts?`)) return;
    setBusy(true);
    const res = await fetch(`/api/datasets/${id}`, { method: "DELETE" });
    setBusy(false);
    if (res.ok) router.refresh();
  }
  return (
    <button type="button" className="btn danger" onClick={onDelete} disabled={busy} aria-label={`Delete dataset ${name}`}>
      Delete
    </button>
  );
}
