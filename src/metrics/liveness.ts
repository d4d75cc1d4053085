/**
 * Notices a target that went away mid-run: seconds in a row in which nothing succeeded and every
 * failure said the target could not be reached (refused or unanswered connects), while no fault of
 * the run's own explains it. A deliberate `down` fault is a game day, not a dead target.
 */
import type { FailureClass, SeriesPoint } from '../report/schema.ts';

const UNREACHABLE: ReadonlySet<FailureClass> = new Set<FailureClass>(['connection_refused', 'timeout_connect']);

/** Seconds of unreachability before the run gives up (the "several seconds"). */
export const DEAD_TARGET_SECONDS = 5;

/**
 * Feed it each closed second; `dead` turns true after {@link DEAD_TARGET_SECONDS} bad seconds in a row.
 *
 * @example
 * const watch = new LivenessWatch();
 * watch.observe(point, timeline.activeCount() > 0);
 * if (watch.dead) abort(new TokenstormError('ERR_TARGET_UNREACHABLE', watch.reason));
 */
export class LivenessWatch {
  private streak = 0;
  private readonly limit: number;

  constructor(limitSeconds = DEAD_TARGET_SECONDS) {
    this.limit = limitSeconds;
  }

  /** One closed second; `faultActive` excuses it (the run's own fault). */
  observe(p: SeriesPoint, faultActive: boolean): void {
    const classes = Object.keys(p.failures) as FailureClass[];
    const unreachable = p.completed === 0 && p.failed > 0 && classes.length > 0 && classes.every((c) => UNREACHABLE.has(c));
    this.streak = unreachable && !faultActive ? this.streak + 1 : 0;
  }

  get dead(): boolean {
    return this.streak >= this.limit;
  }

  get reason(): string {
    return `the target refused or did not answer every connection for ${this.streak} s in a row`;
  }
}
