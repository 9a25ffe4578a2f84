/** Proxmox task ids: `UPID:<node>:<pid 8 hex>:<pstart 8-9 hex>:<starttime 8 hex>:<type>:<id>:<user>:` */

export interface ParsedUpid {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  /** As written in the UPID: `user@realm` or `user@realm!tokenid`. */
  user: string;
}

const UPID_PATTERN =
  /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

export function parseUpid(upid: string): ParsedUpid | undefined {
  const m = UPID_PATTERN.exec(upid);
  if (!m) return undefined;
  const [, node = '', , pid = '', pstart = '', starttime = '', type = '', id = '', user = ''] = m;
  return {
    upid,
    node,
    pid: parseInt(pid, 16),
    pstart: parseInt(pstart, 16),
    starttime: parseInt(starttime, 16),
    type,
    id,
    user,
  };
}

function hex(value: number, width: number): string {
  return value.toString(16).toUpperCase().padStart(width, '0');
}

export function formatUpid(parts: Omit<ParsedUpid, 'upid'>): string {
  return `UPID:${parts.node}:${hex(parts.pid, 8)}:${hex(parts.pstart, 8)}:${hex(parts.starttime, 8)}:${parts.type}:${parts.id}:${parts.user}:`;
}

/** PVE's own success test: `OK`, or `WARNINGS: n` (which still counts as success). */
export function isTaskSuccess(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || (exitstatus !== undefined && /^WARNINGS: \d+$/.test(exitstatus));
}
