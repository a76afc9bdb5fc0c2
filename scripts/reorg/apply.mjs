#!/usr/bin/env node
// Issue 11, step 1: the moves of scripts/reorg/moves.json, applied mechanically so they can be run
// again on a newer main.
//
//   node scripts/reorg/apply.mjs            # git mv + rewrite imports and path mentions, print what it did
//   node scripts/reorg/apply.mjs --dry-run  # the same report, nothing written
//
// 1. `git mv old new` for every move whose old path still exists (a move already done is skipped; a
//    move whose source is gone, or whose target already exists beside its source, is reported).
// 2. Every import specifier of every source file of the repo (tracked or untracked, not ignored) is
//    resolved as it was written, against the file's location before this run, and rewritten when its
//    target or the importer moved: `import`/`export … from`, side-effect `import "x"`, `import("x")`,
//    `typeof import("x")`, `require("x")`, `vi.mock/doMock/unmock/importActual/importMock("x")`.
//    Aliased specifiers (`@/…`) stay aliased; relative ones stay relative inside one package (lib/<name>/,
//    or a top-level folder such as test/) and become `@/…` when the new path leaves it.
//    Specifiers that still resolve in the new tree are left alone, so a second run changes nothing.
// 3. Mentions of a moved file's path (`lib/loyalty/expiry.ts`, `test/ledger/support`) in comments and
//    Markdown are rewritten to the new path.
// 4. It reports the files of lib/loyalty that are still flat (new on main, not in the map) and every
//    relative or `@/` specifier that does not resolve after the run.
//
// No dependency beyond Node and git. Re-applying on a newer main: bring in the commit that added this
// script (and the lint rule), add any new flat lib/loyalty file to moves.json if it has a home, run it,
// then `npx tsc --noEmit && npx eslint .` and the tests, and commit the result alone ("moves only").
// It exits 1 when a move conflicted or a specifier is left unresolved.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const dryRun = process.argv.includes("--dry-run");
const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
process.chdir(root);
const here = path.relative(root, path.dirname(new URL(import.meta.url).pathname));
const movesFile = path.join(here, "moves.json");
const { moves } = JSON.parse(fs.readFileSync(movesFile, "utf8"));

const SOURCE_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const TEXT_EXT = /\.(ts|tsx|mts|cts|js|mjs|cjs|md)$/;
const SKIP_DIR = /^(node_modules|drizzle|\.next[^/]*|\.data|test-results|playwright-report)\//;
const RESOLVE_EXT = ["", ".ts", ".tsx", ".d.ts", ".mts", ".js", ".mjs", ".cjs", ".json", "/index.ts", "/index.tsx", "/index.js", "/index.mjs"];
const own = new Set([movesFile, path.join(here, "apply.mjs")]);

const posix = (p) => p.split(path.sep).join("/");
const isFile = (p) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

function listFiles() {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { encoding: "utf8", maxBuffer: 1 << 28 });
  return out.split("\0").filter((f) => f && !SKIP_DIR.test(f) && isFile(f));
}

// ---- 1. the moves ---------------------------------------------------------------------------
for (const [from, to] of Object.entries(moves)) {
  if (moves[to]) throw new Error(`moves.json: ${to} is both a target and a source`);
  if (from === to) throw new Error(`moves.json: ${from} moves onto itself`);
}
const tracked = new Set(execFileSync("git", ["ls-files", "-z"], { encoding: "utf8", maxBuffer: 1 << 28 }).split("\0"));
const report = { moved: [], already: [], missing: [], conflicts: [] };
const movedNow = new Map(); // new path -> old path, for files moved by this run
const applied = new Map(); // old path -> new path, every move that is in effect (now or before)
for (const [from, to] of Object.entries(moves)) {
  const hasFrom = isFile(from);
  const hasTo = isFile(to);
  if (hasFrom && hasTo) report.conflicts.push(`${from} -> ${to} (both exist; left alone)`);
  else if (hasFrom) {
    if (!tracked.has(from)) report.conflicts.push(`${from} -> ${to} (not tracked by git; left alone)`);
    else {
      if (!dryRun) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        execFileSync("git", ["mv", from, to]);
      }
      report.moved.push(`${from} -> ${to}`);
      movedNow.set(to, from);
      applied.set(from, to);
    }
  } else if (hasTo) {
    report.already.push(`${from} -> ${to}`);
    applied.set(from, to);
  } else report.missing.push(`${from} (gone on this tree; its move is skipped)`);
}

// git mv leaves the folders it emptied behind (test/ledger/): they go.
const emptied = [];
for (const from of applied.keys()) {
  for (let dir = path.dirname(from); dir !== "." && !dryRun; dir = path.dirname(dir)) {
    try {
      if (fs.readdirSync(dir).length > 0) break;
      fs.rmdirSync(dir);
      emptied.push(dir);
    } catch {
      break;
    }
  }
}

const movedEarlier = new Map([...applied].filter(([, to]) => !movedNow.has(to)).map(([from, to]) => [to, from]));

// After a dry run nothing moved: work on the paths as they would be.
const files = listFiles().map((f) => (dryRun && applied.has(f) && movedNow.has(applied.get(f)) ? applied.get(f) : f));
const exists = new Set(files);
const realPath = (f) => (dryRun && movedNow.has(f) ? movedNow.get(f) : f);

// ---- 2. import specifiers -------------------------------------------------------------------
/** The file a specifier names from `fromDir`, in the tree after the moves, or null. */
function locate(target) {
  const norm = posix(path.normalize(target));
  for (const ext of RESOLVE_EXT) if (exists.has(norm + ext) && !applied.has(norm + ext)) return { file: norm + ext, ext };
  for (const ext of RESOLVE_EXT) if (applied.has(norm + ext)) return { file: applied.get(norm + ext), ext };
  return null;
}

/** `lib/loyalty/x/y.ts` -> `lib/loyalty`; `test/a/b.ts` -> `test`; `auth.ts` -> `` */
function packageOf(file) {
  const parts = file.split("/");
  if (parts.length === 1) return "";
  if (parts[0] === "lib" && parts.length > 2) return `lib/${parts[1]}`;
  return parts[0];
}

function withoutExt(file, ext) {
  if (ext === "") return file; // written with its extension: keep it
  if (ext.startsWith("/index")) return file.slice(0, -ext.length);
  return file.slice(0, -ext.length);
}

function relativeSpecifier(fromFile, toModule) {
  let rel = posix(path.relative(path.dirname(fromFile), toModule));
  if (!rel.startsWith(".")) rel = `./${rel}`;
  return rel;
}

/**
 * The rewritten specifier, or null when it stays. `file` is the importer's path now, `before` its
 * path when its specifiers were written.
 */
function rewrite(spec, file, before) {
  const aliased = spec.startsWith("@/");
  if (!aliased && !spec.startsWith("./") && !spec.startsWith("../") && spec !== "." && spec !== "..") return null;
  // Written from where the file was when this run started; a file moved by an earlier run that
  // stopped half-way may still hold specifiers written from its old place: tried second.
  const dirs = movedNow.has(file) ? [before, file] : [file, before];
  const bases = aliased ? [""] : [...new Set(dirs.map((d) => path.dirname(d)))];
  for (const base of bases) {
    const written = aliased ? spec.slice(2) : path.join(base, spec);
    const hit = locate(written);
    if (!hit) continue;
    const targetMoved = posix(path.normalize(written)) + hit.ext !== hit.file;
    if (aliased && !targetMoved) return null;
    if (!aliased && !targetMoved && base === path.dirname(file)) return null;
    const stem = withoutExt(hit.file, hit.ext);
    if (aliased) return `@/${stem}`;
    if (packageOf(file) === packageOf(hit.file)) return relativeSpecifier(file, stem);
    return `@/${stem}`;
  }
  return null;
}

const SPECIFIER =
  /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|\bvi\s*\.\s*(?:mock|doMock|unmock|doUnmock|importActual|importMock)\s*(?:<[^>]*>)?\s*\(\s*)(["'])([^"'\n]+)\2/g;

const rewritten = [];
const unresolved = [];
const contents = new Map();
for (const file of files) {
  if (!SOURCE_EXT.test(file) || own.has(file)) continue;
  const before = movedNow.get(file) ?? movedEarlier.get(file) ?? file;
  const text = fs.readFileSync(realPath(file), "utf8");
  const changes = [];
  const next = text.replace(SPECIFIER, (whole, lead, quote, spec) => {
    const to = rewrite(spec, file, before);
    if (to === null || to === spec) return whole;
    changes.push(`${spec} -> ${to}`);
    return `${lead}${quote}${to}${quote}`;
  });
  contents.set(file, next);
  if (changes.length > 0) rewritten.push({ file, changes });
}

// ---- 3. path mentions in comments and Markdown ----------------------------------------------
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentionRules = [...applied].map(([from, to]) => {
  const fromStem = from.replace(SOURCE_EXT, "");
  const toStem = to.replace(SOURCE_EXT, "");
  const ext = from.slice(fromStem.length);
  // Not inside a longer path or name: lib/loyalty/accrual is not lib/loyalty/accrual-plan nor …/accrual/x.
  return { re: new RegExp(`(?<![\\w.-])${escape(fromStem)}(${escape(ext)})?(?![\\w/-])`, "g"), toStem, toExt: to.slice(toStem.length) };
});
const mentioned = [];
for (const file of files) {
  if (!TEXT_EXT.test(file) || own.has(file)) continue;
  let text = contents.get(file) ?? fs.readFileSync(realPath(file), "utf8");
  let count = 0;
  for (const rule of mentionRules) {
    text = text.replace(rule.re, (_m, ext) => {
      count++;
      return rule.toStem + (ext ? rule.toExt : "");
    });
  }
  if (count > 0) mentioned.push({ file, count });
  contents.set(file, text);
}

let written = 0;
for (const [file, text] of contents) {
  if (fs.readFileSync(realPath(file), "utf8") === text) continue;
  if (!dryRun) fs.writeFileSync(file, text);
  written++;
}

// ---- 4. what is left ------------------------------------------------------------------------
for (const [file, text] of contents) {
  if (!SOURCE_EXT.test(file)) continue;
  for (const m of text.matchAll(SPECIFIER)) {
    const spec = m[3];
    if (!spec.startsWith("@/") && !spec.startsWith(".")) continue;
    const target = spec.startsWith("@/") ? spec.slice(2) : path.join(path.dirname(file), spec);
    const norm = posix(path.normalize(target));
    if (!RESOLVE_EXT.some((ext) => exists.has(norm + ext) && !applied.has(norm + ext))) unresolved.push(`${file}: ${spec}`);
  }
}
const flat = files.filter((f) => /^lib\/loyalty\/[^/]+\.tsx?$/.test(f) && f !== "lib/loyalty/errors.ts");

// ---- the report -----------------------------------------------------------------------------
const section = (title, lines) => {
  console.log(`\n${title}: ${lines.length}`);
  for (const line of lines) console.log(`  ${line}`);
};
console.log(dryRun ? "DRY RUN: nothing written" : "scripts/reorg/apply.mjs");
section("moved (git mv)", report.moved);
section("already moved", report.already);
section("source gone, skipped", report.missing);
section("CONFLICTS, left alone", report.conflicts);
section("emptied folders removed", emptied);
section(
  "files whose imports were rewritten",
  rewritten.map(({ file, changes }) => `${file}\n      ${changes.join("\n      ")}`),
);
section(
  "files whose path mentions were rewritten",
  mentioned.map(({ file, count }) => `${file} (${count})`),
);
console.log(`\nfiles written: ${written}`);
section("lib/loyalty files still flat (not in moves.json: add them, or leave them)", flat);
section("UNRESOLVED relative or @/ specifiers after the run", unresolved);
if (report.conflicts.length > 0 || unresolved.length > 0) process.exitCode = 1;
