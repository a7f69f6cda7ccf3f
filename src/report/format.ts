/** Small text helpers shared by the renderers. */

/** An age as operators read it: `3s ago`, `2m ago`, `5h ago`, `2d ago`; `never` for null. */
export function describeAge(ageMs: number | null): string {
  if (ageMs === null) return 'never';
  if (ageMs < 0) return `in ${describeSpan(-ageMs)}`;
  return `${describeSpan(ageMs)} ago`;
}

/** A duration in the largest whole unit: `3s`, `2m`, `5h`, `2d`. */
export function describeSpan(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}
