/**
 * Severity order and the `--fail-on` gate: exit 4 when any finding is at or above the threshold.
 */
import { TokenstormError } from '../errors.ts';
import { type Finding, SEVERITIES, type Severity } from '../report/schema.ts';

/** 0 for critical … 4 for info. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/**
 * Parses a `--fail-on` value, or throws ERR_USAGE.
 *
 * @example
 * parseSeverity('medium', '--fail-on'); // 'medium'
 */
export function parseSeverity(raw: string, flag: string): Severity {
  const v = raw.trim().toLowerCase();
  if ((SEVERITIES as readonly string[]).includes(v)) return v as Severity;
  throw new TokenstormError('ERR_USAGE', `${flag} must be one of ${SEVERITIES.join(', ')} (got '${raw}')`);
}

/**
 * The findings at or above `failOn`.
 *
 * @example
 * findingsAtOrAbove(findings, 'high').length > 0; // → exit 4
 */
export function findingsAtOrAbove(findings: readonly Finding[], failOn: Severity): Finding[] {
  return findings.filter((f) => severityRank(f.severity) <= severityRank(failOn));
}
