import { Injectable } from '@nestjs/common';

/** A role variable's value, as a creation request's `role_variables` gives it. */
export type RoleVariableValue = string | number | boolean | (string | number | boolean)[];

/** What the roles module does for a server creation (the port it implements; docs/api.md §3.3). */
export interface ServerRoleRunner {
  /**
   * Checks a creation request's role and variables: the problems (named `<field>role`, `<field>role_variables.<x>`),
   * and the variables split into plain ones (fit for the task record) and secret ones (never stored).
   */
  check(
    role: string,
    variables: Record<string, unknown> | undefined,
    field: string,
  ): Promise<{
    problems: Record<string, string>;
    plain: Record<string, RoleVariableValue>;
    secret: Record<string, string>;
  }>;
  /** Keeps a creation's secret variables for the run on `server` (apart from the task record). */
  keepSecrets(taskId: string, server: string, secret: Record<string, string>): Promise<void>;
  /** Runs the role against the new server; throws with the run's output when it fails. */
  applyOnCreation(run: {
    server: string;
    role: string;
    variables: Record<string, RoleVariableValue>;
    taskId: string;
    createdBy: number | null;
  }): Promise<{ run_id: number }>;
}

/**
 * Where the roles module plugs its runner in for server creation: the servers module asks it to check a role and
 * to apply it as the creation's last step, without depending on the roles module (which depends on it).
 */
@Injectable()
export class ServerRoles {
  private runner: ServerRoleRunner | null = null;

  provide(runner: ServerRoleRunner): void {
    this.runner = runner;
  }

  get(): ServerRoleRunner {
    if (!this.runner) throw new Error('roles cannot be applied: the roles module is not loaded');
    return this.runner;
  }
}
