// autocannon ships no types; this covers the part the raw token benchmark uses.
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    pipelining?: number;
    duration?: number;
  }
  interface AutocannonResult {
    requests: { average: number; total: number; sent: number };
    /** Milliseconds. */
    latency: { average: number; p50: number; p99: number; max: number };
    duration: number;
    errors: number;
    non2xx: number;
  }
  function autocannon(opts: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
