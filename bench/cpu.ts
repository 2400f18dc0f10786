/* CPU time read from /proc (Linux): the whole machine's, PostgreSQL's processes', one process's. 0 where unreadable. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the /proc counters (`getconf CLK_TCK`; 100 where getconf is missing). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

const ticksToMs = (ticks: number) => (ticks * 1000) / CLK_TCK;

/** The machine's line of /proc/stat: user, nice, system, idle, iowait, irq, softirq, steal … (ticks). */
function machineTicks(): number[] | null {
  try {
    return readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  } catch {
    return null;
  }
}

/** CPU time used by the whole machine so far (all cores, every state but idle and iowait), in ms. */
export function machineCpuMs(): number {
  const fields = machineTicks();
  if (!fields) return 0;
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return ticksToMs(user + nice + system + irq + softirq + steal);
}

/**
 * Of machineCpuMs: the time stolen so far (a virtual machine's cores were ready to run while the host ran other
 * machines), in ms. It is counted in the machine's CPU; printed apart, it says how much of that was this
 * machine's own work.
 */
export function machineStealMs(): number {
  const fields = machineTicks();
  return fields ? ticksToMs(fields[7] ?? 0) : 0;
}

/** comm, utime + stime (ticks) of one process from /proc/<pid>/stat; null when it is gone. */
function procStat(pid: number): { comm: string; ticks: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may hold spaces; the fields after it count from state (field 3).
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const rest = text.slice(close + 2).split(' ');
    return { comm, ticks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

/** CPU time of one process so far, in ms. */
export function processCpuMs(pid: number): number {
  const s = procStat(pid);
  return s ? ticksToMs(s.ticks) : 0;
}

/**
 * CPU time of every process named postgres (the server and its backends) by pid, in ms. The difference of
 * two readings counts a backend that started in between in full and loses one that ended in between.
 */
export function postgresCpuByPid(): Map<number, number> {
  const out = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s?.comm === 'postgres') out.set(Number(name), ticksToMs(s.ticks));
  }
  return out;
}

/** CPU used between two readings of `postgresCpuByPid`, of all processes or of the given pids only. */
export function postgresCpuDelta(
  before: Map<number, number>,
  after: Map<number, number>,
  only?: Set<number>,
): number {
  let ms = 0;
  for (const [pid, now] of after) {
    if (only && !only.has(pid)) continue;
    ms += now - (before.get(pid) ?? 0);
  }
  return ms;
}
