/**
 * The single table's global secondary indexes, named once for the stack (lib/state.ts), the local table
 * (local/bootstrap.ts) and the stores. Each is keyed `<name>PK` / `<name>SK`, with every attribute
 * projected.
 */
export const TABLE_INDEXES = {
  /** A tenant's jobs (`TENANT#<tenant>`) and projects (`PROJECTS#<tenant>`) by createdAt: lists. */
  GSI1: 'GSI1',
  /** Every tenant's jobs in one status (`STATUS#<status>`) by createdAt: operations (queue, restart). */
  GSI2: 'GSI2',
  /**
   * A tenant's jobs (`TENANT#<tenant>#STATUS#<status>`) or projects (`PROJECTS#<tenant>#STATUS#<status>`)
   * in one status by createdAt: status-filtered lists, so a page never comes back short while more match.
   */
  GSI3: 'GSI3',
} as const;

export const INDEX_NAMES = Object.values(TABLE_INDEXES);
