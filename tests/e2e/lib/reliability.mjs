// Helpers of the reliability suite: a forced GC without --expose-gc, memory samples, and
// the busiest rolling window of a list of timestamps.
import v8 from "node:v8";
import vm from "node:vm";

let gcFn = globalThis.gc;
/** Runs a full GC (node --test gives no way to pass --expose-gc to a test file). */
export function forceGc() {
  if (!gcFn) {
    v8.setFlagsFromString("--expose-gc");
    gcFn = vm.runInNewContext("gc");
  }
  gcFn();
}

/** Heap and external (which includes the wasm memory) after two full GCs. */
export async function memorySample() {
  forceGc();
  await new Promise((r) => setImmediate(r));
  forceGc();
  const { heapUsed, external, rss } = process.memoryUsage();
  return { heapUsed, external, rss };
}

/** The largest number of `times` (sorted ascending) within any span of `windowMs`. */
export function maxInAnyWindow(times, windowMs) {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= windowMs) lo += 1;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}
