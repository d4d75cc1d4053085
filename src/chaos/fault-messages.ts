/**
 * Typed IPC messages between the harness and the fault child process (./fault-child.ts).
 */
import type { TokenstormErrorCode } from '../errors.ts';

/** Harness → child. */
export type FaultParentMessage = { type: 'init'; host: string; port: number; replicas: number | undefined } | { type: 'close' };

/** Child → harness. */
export type FaultChildMessage =
  | { type: 'ready'; url: string; host: string; port: number; pid: number }
  | { type: 'start-error'; code: TokenstormErrorCode; message: string; hint: string | undefined }
  | { type: 'closed' };
