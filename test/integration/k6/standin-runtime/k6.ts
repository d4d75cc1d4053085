// Stand-in for `k6` (see README.md here): check() only evaluates.
export function check<T>(value: T, sets: Record<string, (v: T) => boolean>): boolean {
  return Object.values(sets).every((fn) => fn(value));
}
