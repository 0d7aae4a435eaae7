// Start-up of one-shot command-line calls, end to end (process spawn to exit), as a shell loop or a
// Makefile pays them: `spey cls examples/cms-8bin.json` and friends, next to `node -e 0` (Node's own
// start-up on this machine) in the same run. Median of N runs per command, the runs of all commands
// interleaved so that load changes hit them alike. Besides wall time, the CPU time of the child
// (user + system, from /proc on Linux) is reported: on a machine loaded by other processes it stays
// close to what an idle machine measures, while wall time does not. "÷ node" is the command's wall
// time over `node -e 0`'s, "CPU ÷" its CPU time over `node -e 0`'s, both from the same runs.
// Usage: npm run build && node bench/startup.js [path/to/another/spey-cli/bin/spey.js] [runs]
// Or compare with a build of an earlier revision: SPEY_BASELINE=<checkout made by bench/baseline.js>.
// With a second launcher (e.g. a build of the previous commit), both are timed alternately and the
// old/new ratios are printed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const launchers = [["new", fileURLToPath(new URL("../packages/spey-cli/bin/spey.js", import.meta.url))]];
const baseline = process.env.SPEY_BASELINE ? `${process.env.SPEY_BASELINE}/packages/spey-cli/bin/spey.js` : undefined;
const other = process.argv[2] || baseline;
if (other) launchers.push(["old", other]);
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

/** CPU time (ms) of this process's terminated children so far (fields 16–17 of /proc/self/stat), or NaN. */
function childrenCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After the command name: state is field 3, so cutime and cstime (fields 16, 17) are at 13, 14.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return Number.NaN;
  }
}

function once(args) {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited with ${r.status}: ${r.stderr}`);
  return { wall: ms, cpu: childrenCpuMs() - cpu0 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * Median wall times and mean CPU times of several commands, their runs interleaved (the kernel
 * counts CPU time in 10 ms ticks: a median would be a multiple of 10 ms, the mean is not).
 */
function medians(commandLines) {
  const samples = commandLines.map(() => []);
  for (let i = 0; i < runs; i++) commandLines.forEach((args, k) => samples[k].push(once(args)));
  return samples.map((s) => ({ wall: median(s.map((x) => x.wall)), cpu: mean(s.map((x) => x.cpu)) }));
}

const ms = (x) => (Number.isNaN(x) ? "–" : x.toFixed(0));
console.log(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} (the machine's other work)`,
);
const [nodeOnly] = medians([["-e", "0"]]);
console.log(
  `node -e 0 (Node's own start-up): ${ms(nodeOnly.wall)} ms wall (median of ${runs}), ${ms(nodeOnly.cpu)} ms CPU (mean)\n`,
);
console.log(
  `${"command".padEnd(40)}${launchers.map(([n]) => `${`${n} wall`.padStart(10)}${`${n} CPU`.padStart(9)}${"÷ node".padStart(8)}${"CPU ÷".padStart(7)}`).join("")}${launchers.length > 1 ? "  old/new CPU".padStart(14) : ""}`,
);
for (const [label, args] of COMMANDS) {
  const times = medians([["-e", "0"], ...launchers.map(([, bin]) => [bin, ...args])]);
  const base = times[0];
  const mine = times.slice(1);
  console.log(
    `${label.padEnd(40)}${mine
      .map(
        (t) =>
          `${ms(t.wall).padStart(10)}${ms(t.cpu).padStart(9)}${`${(t.wall / base.wall).toFixed(2)}×`.padStart(8)}${`${(t.cpu / base.cpu).toFixed(2)}×`.padStart(7)}`,
      )
      .join("")}${mine.length > 1 ? `${(mine[1].cpu / mine[0].cpu).toFixed(2)}×`.padStart(14) : ""}`,
  );
}
console.log(
  `load average at end: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
