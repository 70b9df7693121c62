// CPU time of a process from /proc/<pid>/stat: on a shared machine, how much of the cores the
// validators used tells a saturated machine from a slow protocol.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * User + system seconds from a /proc/<pid>/stat line. The command name (field 2) may hold
 * spaces and parentheses, so fields are counted from its closing parenthesis.
 * @throws Error when the line is not a stat line.
 */
export function cpuSecondsOfStat(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name: state is field 3, utime field 14, stime field 15.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime) || stat.lastIndexOf(')') < 0)
    throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return (utime + stime) / TICKS_PER_SECOND;
}

/** The process's CPU seconds so far; 0 when it is gone. */
export function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 0;
  }
}
