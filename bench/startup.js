// Start-up of one-shot command-line calls, end to end (process spawn to exit), as a shell loop or a
// Makefile pays them: `spey cls examples/cms-8bin.json` and friends, next to `node -e 0` (Node's own
// start-up on this machine) in the same run. Median of N runs per command.
// Usage: npm run build && node bench/startup.js [path/to/another/spey-cli/bin/spey.js] [runs]
// With a second launcher (e.g. a build of the previous commit), both are timed alternately.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const launchers = [["new", fileURLToPath(new URL("../packages/spey-cli/bin/spey.js", import.meta.url))]];
if (process.argv[2]) launchers.push(["old", process.argv[2]]);
const runs = Number(process.argv[3] ?? 15);

const COMMANDS = [
  ["spey --version", ["--version"]],
  ["spey cls examples/cms-8bin.json", ["cls", "examples/cms-8bin.json"]],
  ["spey limit examples/single-bin.json", ["limit", "examples/single-bin.json"]],
  [
    "spey cls (HistFactory example)",
    ["cls", "examples/histfactory/BkgOnly.json", "examples/histfactory/patchset.json:stop_300"],
  ],
];

function once(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Medians of several commands, their runs interleaved so that load changes hit all alike. */
function medians(commandLines) {
  const samples = commandLines.map(() => []);
  for (let i = 0; i < runs; i++) commandLines.forEach((args, k) => samples[k].push(once(args)));
  return samples.map(median);
}

const [nodeOnly] = medians([["-e", "0"]]);
console.log(`node -e 0 (Node's own start-up): ${nodeOnly.toFixed(0)} ms (median of ${runs})\n`);
console.log(
  `${"command".padEnd(40)}${launchers.map(([n]) => `${`${n} ms`.padStart(10)}${`${n} − node`.padStart(12)}`).join("")}`,
);
for (const [label, args] of COMMANDS) {
  const times = medians([["-e", "0"], ...launchers.map(([, bin]) => [bin, ...args])]);
  const base = times[0];
  console.log(
    `${label.padEnd(40)}${times
      .slice(1)
      .map((t) => `${t.toFixed(0).padStart(10)}${(t - base).toFixed(0).padStart(12)}`)
      .join("")}`,
  );
}
