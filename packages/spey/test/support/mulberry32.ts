/**
 * mulberry32: a small seeded generator of uniform numbers in [0, 1), shared by the tests that draw
 * random models or schedules (independent of the library's own generator, so that a test's oracle
 * shares nothing with the code it checks; a failure replays with the same seed).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
