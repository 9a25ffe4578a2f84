import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { AppConfig } from '../../platform/config/app-config';
import { ValidationFailedError } from '../../platform/errors/app-error';
import { MonitoringSetting } from './monitoring-setting.entity';
import {
  applyChange,
  SETTING_FIELDS,
  settingsFromEnv,
  type MonitoringSettingsValues,
  type SettingKey,
} from './monitoring-settings';

type Stored = Partial<Record<SettingKey, number | string | null>>;

/**
 * The monitoring settings in the database over their environment values (docs/api.md §10). Every reader (the
 * routes, the alert checker in whichever worker runs it) reads the table each time, so that a change is
 * effective at once in every process, without restart. Secrets leave this service only as `{set}` (publicView).
 */
@Injectable()
export class MonitoringSettingsService {
  constructor(
    @InjectRepository(MonitoringSetting) private readonly settings: Repository<MonitoringSetting>,
    private readonly config: AppConfig,
  ) {}

  /** The settings in force now. */
  async current(): Promise<MonitoringSettingsValues> {
    return { ...this.defaults(), ...(await this.stored()) } as MonitoringSettingsValues;
  }

  /** The environment's values (what a setting without a row has). */
  defaults(): MonitoringSettingsValues {
    return settingsFromEnv(this.config.values);
  }

  /** Which settings have been changed from their environment value. */
  async storedKeys(): Promise<Set<SettingKey>> {
    return new Set(Object.keys(await this.stored()) as SettingKey[]);
  }

  /**
   * Applies a partial change (validated against the settings it lands on; problems by field name, 400),
   * under a lock so that two changes at once do not both pass the warning ≤ critical check on stale values.
   */
  async update(change: Record<string, unknown>, username: string): Promise<MonitoringSettingsValues> {
    return this.settings.manager.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['monitoring_settings']);
      const rows = await manager.find(MonitoringSetting);
      const before: Stored = {};
      for (const row of rows) before[row.key as SettingKey] = row.value;
      const result = applyChange(before, this.defaults(), change);
      if (!result.ok) throw new ValidationFailedError(result.fields);
      const now = new Date();
      for (const field of SETTING_FIELDS) {
        const key = field.key;
        if (!(key in change)) continue;
        if (key in result.stored)
          await manager.upsert(
            MonitoringSetting,
            { key, value: result.stored[key] ?? null, updatedAt: now, updatedBy: username },
            ['key'],
          );
        else await manager.delete(MonitoringSetting, { key });
      }
      return result.values;
    });
  }

  private async stored(): Promise<Stored> {
    const rows = await this.settings.find();
    const stored: Stored = {};
    const known = new Set<string>(SETTING_FIELDS.map((f) => f.key));
    for (const row of rows) if (known.has(row.key)) stored[row.key as SettingKey] = row.value;
    return stored;
  }
}
