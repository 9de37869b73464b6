// A small seeded generator for the suites' property loops (xorshift32): a failure names its
// seed, and the same seed replays the same cases.

/** `next()`: the seed's next number in [0, 1). A seed of 0 counts as 1 (xorshift's one fixed point). */
export function seeded(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}
