/**
 * The timing split of one HTTP exchange, as the HTTP client measures it and the recorder keeps it
 * (here, in the lowest layer, so both can name it).
 */

/**
 * Where one exchange's time went, k6-style (all µs). `queuedUs + connectUs + waitUs + receiveUs`
 * equals the exchange's `serviceUs` (up to rounding): service time keeps its meaning (send to last
 * byte, as the flow sees it) and the split says how much of it the harness's own pool added.
 *
 * @example
 * const t: RequestTiming = { queuedUs: 120, connectUs: 0, newConnection: false, waitUs: 3_400, receiveUs: 40 };
 */
export interface RequestTiming {
  /** From the dispatch to the request being written, minus `connectUs`: waiting for a free connection in the pool. */
  queuedUs: number;
  /** TCP connect time of the new connection this request opened; 0 on a reused keep-alive connection. */
  connectUs: number;
  /** True when this request was the first on a newly opened connection. */
  newConnection: boolean;
  /** From the request being written to the first response byte (headers): the server's time, plus the send. */
  waitUs: number;
  /** From the first to the last response byte. */
  receiveUs: number;
}
