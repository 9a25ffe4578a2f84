import {
  ALREADY_DONE,
  type ForEachItemOptions,
  type ItemContext,
  type JobContext,
  type JsonValue,
  type PveResources,
  type PveTaskOutcome,
  type PveTaskStepOptions,
  type StepOutputs,
} from './job-context';
import type { JobTable, JobTypeOf, PayloadOf } from './job-table';
import { ProxmoxTaskError, type PveTaskSteps } from './pve-task-steps';
import type { ResourceGovernor } from './resource-governor';
import type { StepRecord, Task } from './task.entity';
import type { TaskStore } from './task-store';

/** What a running job's contexts use. */
export interface RunningJobServices {
  store: TaskStore;
  governor: ResourceGovernor;
  pveTasks: PveTaskSteps;
}

/**
 * The steps of one scope (the task, or one item): those a previous try finished are skipped and hand back
 * their recorded output; the others run and are recorded when they finish.
 */
class StepScope {
  private readonly records = new Map<string, StepRecord>();
  private readonly ranThisTry = new Set<string>();

  constructor(
    recorded: readonly StepRecord[],
    private readonly persist: (record: StepRecord) => Promise<void>,
    private readonly forgetRecord: (name: string) => Promise<void>,
    private readonly starting: (name: string) => Promise<void>,
  ) {
    for (const record of recorded) this.records.set(record.name, record);
  }

  outputs(): StepOutputs {
    return Object.fromEntries(
      [...this.records.values()].map((record) => [record.name, record.output as JsonValue]),
    );
  }

  recorded(name: string): JsonValue | undefined {
    return this.records.get(name)?.output as JsonValue | undefined;
  }

  async step<R extends JsonValue>(name: string, run: (previous: StepOutputs) => Promise<R>): Promise<R> {
    if (this.ranThisTry.has(name)) throw new Error(`step "${name}" runs twice in one try`);
    this.ranThisTry.add(name);
    const done = this.records.get(name);
    if (done) return done.output as R;
    await this.starting(name);
    const output = await run(this.outputs());
    await this.record(name, output);
    return output;
  }

  async record(name: string, output: JsonValue): Promise<void> {
    const record: StepRecord = { name, output: output ?? null, finished_at: new Date().toISOString() };
    await this.persist(record);
    this.records.set(name, record);
  }

  async forget(name: string): Promise<void> {
    await this.forgetRecord(name);
    this.records.delete(name);
  }
}

class ItemScope implements ItemContext {
  private readonly steps: StepScope;
  /** The step the item shows; shown again once a wait for a governor slot (shown instead) is over. */
  private currentStep: string | null;

  constructor(
    private readonly taskId: string,
    readonly name: string,
    recorded: readonly StepRecord[],
    currentStep: string | null,
    private readonly services: RunningJobServices,
  ) {
    this.currentStep = currentStep;
    const { store } = services;
    this.steps = new StepScope(
      recorded,
      (record) => store.recordStep(taskId, name, record),
      (step) => store.forgetStep(taskId, name, step),
      (step) => this.showStep(step),
    );
  }

  update(update: Parameters<ItemContext['update']>[0]): Promise<void> {
    return this.services.store.updateItem(this.taskId, this.name, update);
  }

  step: ItemContext['step'] = (name, run) => this.steps.step(name, run);

  async governed<R>(resources: PveResources, work: () => Promise<R>): Promise<R> {
    let waited = false;
    return this.services.governor.run(
      resources,
      async () => {
        if (waited && this.currentStep !== null) await this.showStep(this.currentStep);
        return work();
      },
      async (reason) => {
        waited = true;
        await this.services.store.updateItem(this.taskId, this.name, { step: reason });
      },
    );
  }

  async pveTask(
    name: string,
    start: () => Promise<string | typeof ALREADY_DONE>,
    options: PveTaskStepOptions = {},
  ): Promise<PveTaskOutcome> {
    const { pveTasks } = this.services;
    const startedKey = `${name}:upid`;
    const outcome = await this.steps.step(name, async () => {
      for (let lockRetry = 0; ; lockRetry++) {
        try {
          const followed = await this.governed(options.resources ?? {}, async () => {
            // A previous try that crashed after starting the task left its UPID: follow that one.
            let upid = this.steps.recorded(startedKey);
            if (typeof upid !== 'string') {
              const started = await start();
              if (started === ALREADY_DONE) return { upid: null, exitstatus: 'OK' };
              upid = started;
              await this.steps.record(startedKey, upid);
              await this.services.store.updateItem(this.taskId, this.name, { upid });
            }
            return pveTasks.follow(upid, options.log ? { log: true } : {});
          });
          return asStepOutput(followed);
        } catch (error) {
          // A task that ended in failure is done with: the next call (or try) starts a new one. A task whose
          // end was not seen (timeout, lost connection) may still run, so its UPID is kept to follow again.
          if (error instanceof ProxmoxTaskError) await this.steps.forget(startedKey);
          if (!pveTasks.isLockFailure(error) || lockRetry >= pveTasks.lockRetries)
            throw pveTasks.explain(error);
          await this.showStep(`${name} (locked; try ${lockRetry + 2} of ${pveTasks.lockRetries + 1})`);
          await pveTasks.lockBackoff(lockRetry + 1);
        }
      }
    });
    return outcome as unknown as PveTaskOutcome;
  }

  private async showStep(step: string): Promise<void> {
    this.currentStep = step;
    await this.services.store.updateItem(this.taskId, this.name, { step });
  }
}

/** The context a handler runs with for one try of one task. */
export class RunningJob<Table extends JobTable, T extends JobTypeOf<Table>> implements JobContext<T, Table> {
  readonly taskId: string;
  readonly type: T;
  readonly payload: Readonly<PayloadOf<Table, T>>;
  readonly attempt: number;
  readonly createdBy: number | null;
  private readonly steps: StepScope;
  private readonly items = new Map<string, ItemScope>();

  constructor(
    private readonly task: Task,
    private readonly services: RunningJobServices,
  ) {
    this.taskId = task.id;
    this.type = task.type as T;
    this.payload = task.payload as PayloadOf<Table, T>;
    this.attempt = task.attempts;
    this.createdBy = task.createdBy;
    const { store } = services;
    this.steps = new StepScope(
      task.steps,
      (record) => store.recordStep(task.id, null, record),
      (step) => store.forgetStep(task.id, null, step),
      (step) => store.setMessage(task.id, step),
    );
  }

  progress(percent: number, message?: string): Promise<void> {
    return this.services.store.progress(this.taskId, percent, message);
  }

  step: JobContext<T, Table>['step'] = (name, run) => this.steps.step(name, run);

  item(name: string): ItemContext {
    let scope = this.items.get(name);
    if (!scope) {
      const known = this.task.items.find((item) => item.name === name);
      scope = new ItemScope(this.taskId, name, known?.steps ?? [], known?.step ?? null, this.services);
      this.items.set(name, scope);
    }
    return scope;
  }

  async forEachItem(
    work: (item: ItemContext) => Promise<void>,
    { concurrency = 4, onCancelled }: ForEachItemOptions = {},
  ): Promise<void> {
    const pending = this.task.items.filter(
      (item) => item.status !== 'completed' && item.status !== 'skipped',
    );
    const total = this.task.items.length;
    let finished = total - pending.length;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < pending.length) {
        const entry = pending[next++];
        if (!entry) return;
        const item = this.item(entry.name);
        // A cancel asked for meanwhile: items not started are not started (those running end as they do).
        if (await this.services.store.isCancelRequested(this.taskId)) {
          await item.update({ status: 'cancelled', error: null });
          await onCancelled?.(item);
          finished += 1;
          continue;
        }
        await item.update({ status: 'running', error: null });
        try {
          await work(item);
          await item.update({ status: 'completed', progress: 100 });
        } catch (error) {
          await item.update({
            status: 'failed',
            error: error instanceof Error ? error.message : String(error),
          });
        }
        finished += 1;
        await this.progress((finished / Math.max(1, total)) * 100);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, lane));
  }
}

function asStepOutput(outcome: PveTaskOutcome): Record<string, JsonValue> {
  return { upid: outcome.upid, exitstatus: outcome.exitstatus, ...(outcome.log ? { log: outcome.log } : {}) };
}
