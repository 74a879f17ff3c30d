/** The SQLite store's tables: records, their index entries, and the rate-limit counters. */
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    value TEXT NOT NULL,
    version INTEGER NOT NULL,
    expires_at INTEGER,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS records_expires_at ON records (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE IF NOT EXISTS record_indexes (
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (kind, id, name)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS record_indexes_lookup ON record_indexes (kind, name, value);
  CREATE TABLE IF NOT EXISTS counters (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    count INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID;
`;
