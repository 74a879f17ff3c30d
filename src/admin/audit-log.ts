import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store';

const KIND = 'audit';

/** One admin action: who, what, on which app or user, when, from where. Never a secret. */
export interface AuditEntry {
  id: string;
  at: number;
  actor: { type: 'user' | 'client' | 'cli'; id: string; name: string };
  action: string;
  /** A role's id is `<application>/<role>`. */
  target: { type: 'app' | 'user' | 'key' | 'role'; id: string; name?: string };
  /** The client address, or "cli" for the command line. */
  from: string;
  /** Names of the fields an edit changed (values are not kept: they may be sensitive). */
  changed?: string[];
}

/**
 * The audit log. Ids sort by time (a zero-padded timestamp first), so the newest entries are the
 * last ids; entries are append-only and never carry a secret.
 */
export class AuditLog {
  /** Orders the entries of one process written in the same millisecond (the random part would not). */
  private sequence = 0;

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  async record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const at = this.now();
    this.sequence = (this.sequence + 1) % 1e9;
    const id = `${String(at).padStart(15, '0')}-${String(this.sequence).padStart(9, '0')}-${randomBytes(6).toString('hex')}`;
    const full: AuditEntry = { id, at, ...entry };
    await this.store.create(KIND, id, full, { indexes: { target: `${entry.target.type}:${entry.target.id}` } });
    return full;
  }

  /** Newest first. */
  async list(limit = 200, target?: { type: string; id: string }): Promise<AuditEntry[]> {
    const records = target ? await this.store.findBy<AuditEntry>(KIND, 'target', `${target.type}:${target.id}`) : await this.store.list<AuditEntry>(KIND);
    return records.map((r) => r.value).sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, limit);
  }
}
