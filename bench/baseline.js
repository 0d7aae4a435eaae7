// A build of an earlier revision to compare with in the same benchmark run (ratios measured side by
// side on the same machine under the same load, instead of absolute times from another day):
//   node bench/baseline.js <git revision> [directory]     (default directory: a temporary one)
//   SPEY_BASELINE=<directory> npm run bench
// The revision is checked out as a detached git worktree; its node_modules links this checkout's
// installed packages, except the workspace packages, which link the worktree's own; then it is
// built. bench/startup.js, bench/combiners.js and bench/histfactory.js read SPEY_BASELINE (their
// first argument, when given, wins).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const [revision, target] = process.argv.slice(2);
if (!revision) {
  console.error("usage: node bench/baseline.js <git revision> [directory]");
  process.exit(2);
}
const dir = target ?? join(mkdtempSync(join(tmpdir(), "spey-baseline-")), "checkout");
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });

run("git", ["worktree", "add", "--detach", dir, revision], root);
// The workspace packages of the baseline: linked to its own sources, never to this checkout's.
const own = { spey: "packages/spey", "spey-cli": "packages/spey-cli", "spey-playground": "apps/playground" };
const modules = join(dir, "node_modules");
mkdirSync(modules, { recursive: true });
for (const name of readdirSync(join(root, "node_modules"))) {
  const link = join(modules, name);
  if (existsSync(link)) continue;
  if (name in own) symlinkSync(join(dir, own[name]), link);
  else symlinkSync(join(root, "node_modules", name), link);
}
run("npm", ["run", "build"], dir);
console.log(`\nBaseline ${revision} built in ${dir}\nCompare with: SPEY_BASELINE=${dir} npm run bench`);
console.log(`(remove it with: git worktree remove --force ${dir})`);
