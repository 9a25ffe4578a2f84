/** Optional persistence: the whole state as JSON, written atomically and at most every 200 ms. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SimStateData } from './model';

export function loadState(file: string): SimStateData | undefined {
  if (!existsSync(file)) return undefined;
  const data = JSON.parse(readFileSync(file, 'utf8')) as SimStateData | { version?: unknown };
  if (data.version !== 1 || !('vms' in data))
    throw new Error(`unsupported simulator state version in ${file}`);
  // Tasks that were running when the simulator stopped cannot continue.
  for (const task of data.tasks) {
    if (task.status === 'running') {
      task.status = 'stopped';
      task.exitstatus = 'unexpected status';
      task.endtime = task.starttime;
    }
  }
  for (const vm of data.vms)
    if (vm.config.lock === 'clone' || vm.config.lock === 'backup' || vm.config.lock === 'create')
      delete vm.config.lock;
  return data;
}

export class StateWriter {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => SimStateData,
  ) {}

  schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 200);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.snapshot()));
    renameSync(tmp, this.file);
  }
}
