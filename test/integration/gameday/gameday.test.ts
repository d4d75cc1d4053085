/**
 * The bundled game-day scenarios on the embedded fault server: each must show its fault's failure
 * class (or latency) in the fault phase only, be detected, and recover in finite time.
 */
import { defineGameDays } from './gameday-cases.ts';

defineGameDays('embedded fault server', () => ({ toxiproxyUrl: null }));
