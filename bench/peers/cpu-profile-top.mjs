// Reads a .cpuprofile (node --cpu-prof; bench:api takes BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"): the top
// self-time functions, then self time by package. Usage: node bench/peers/cpu-profile-top.mjs FILE [N]
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const self = new Map(); const byId = new Map(p.nodes.map((n) => [n.id, n]));
const dt = new Map();
for (let i = 0; i < p.samples.length; i++) dt.set(p.samples[i], (dt.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
let total = 0;
for (const [id, t] of dt) { const n = byId.get(id); const f = n.callFrame; const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/')}:${f.lineNumber + 1}`; self.set(key, (self.get(key) ?? 0) + t); total += t; }
const N = Number(process.argv[3] ?? 30);
for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, N)) console.log((t / 1000).toFixed(0).padStart(7), 'ms', (100 * t / total).toFixed(1).padStart(5) + '%', k);
// by package
const pk = new Map();
for (const [id, t] of dt) { const u = byId.get(id).callFrame.url; const m = u.match(/node_modules\/((@[^/]+\/)?[^/]+)/); const k = m ? m[1] : u.includes('/dist/') ? 'dist:' + u.replace(/^.*\/dist\//, '').split('/').slice(0, 2).join('/') : (u || byId.get(id).callFrame.functionName); pk.set(k, (pk.get(k) ?? 0) + t); }
console.log('--- by package');
for (const [k, t] of [...pk].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log((100 * t / total).toFixed(1).padStart(5) + '%', k);
