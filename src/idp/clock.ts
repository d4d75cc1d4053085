/**
 * A process-wide skewable wall clock for the IdP child. oidc-provider and jose read the time
 * through `Date.now()` and `new Date()` at each call, so replacing both moves every `iat`, `exp`
 * and expiry check of the IdP by the offset — the same thing an IdP host with a wrong clock does.
 * Timers and `performance.now()` are left alone: they measure durations, not wall time.
 */

const RealDate = Date;
const realNow = Date.now.bind(Date);
let offsetMs = 0;
let installed = false;

/**
 * Replaces `Date.now` and argument-less `new Date()` with offset versions. Idempotent. Only the IdP
 * child calls this: it changes the global `Date` of the whole process.
 *
 * @example
 * installSkewableClock();
 * setClockOffsetMs(120_000); // the IdP now lives two minutes in the future
 */
export function installSkewableClock(): void {
  if (installed) return;
  installed = true;
  RealDate.now = () => realNow() + offsetMs;
  // A Proxy rather than a subclass keeps `Date.prototype`, `instanceof Date` and every static intact.
  globalThis.Date = new Proxy(RealDate, {
    construct(target, args, newTarget) {
      if (args.length === 0) return Reflect.construct(target, [realNow() + offsetMs], newTarget);
      return Reflect.construct(target, args, newTarget);
    },
    apply() {
      // `Date()` called as a function returns a string of the current time.
      return new RealDate(realNow() + offsetMs).toString();
    },
  });
}

/** Sets the offset (ms, may be negative) added to the wall clock from now on. */
export function setClockOffsetMs(ms: number): void {
  if (!Number.isFinite(ms)) throw new RangeError(`clock offset must be a finite number of ms (got ${ms})`);
  offsetMs = Math.trunc(ms);
}

/** The current offset in ms. */
export function clockOffsetMs(): number {
  return offsetMs;
}

/** Wall-clock ms without the offset (for logs that must show real time). */
export function realNowMs(): number {
  return realNow();
}
