import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CURSOR_ID, CURSOR_TIME, decodeCursor, encodeCursor } from '../aws/cursor.js';
import { TABLE_INDEXES } from '../aws/indexes.js';
import type { Project, Scene, SceneMedia, SceneStatus } from './schema.js';
import type { ProjectStatus } from './status.js';

const pk = (id: string) => `PROJECT#${id}`;
/** Scenes sort by position: SCENE#001, SCENE#002, … */
export const sceneKey = (position: number) => `SCENE#${String(position).padStart(3, '0')}`;
/** Listing per tenant: its own GSI1 partition, apart from the tenant's jobs (TENANT#…). */
const listKey = (tenantId: string) => `PROJECTS#${tenantId}`;
/**
 * The tenant's projects in one status (GSI3). Written with the status the store knows: draft at create,
 * composing with a compose job; the end of that job is settled by whoever reads it next (projects/list.ts).
 */
export const projectStatusKey = (tenantId: string, status: ProjectStatus) =>
  `PROJECTS#${tenantId}#STATUS#${status}`;

const STRIP = ['PK', 'SK', 'GSI1PK', 'GSI1SK', 'GSI3PK', 'GSI3SK', 'tenantId', 'projectId'];
function strip<T>(item: Record<string, unknown>, keep: string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) if (!STRIP.includes(k) || keep.includes(k)) out[k] = v;
  return out as T;
}

/** The project's counters, from its scenes. */
export function counters(
  scenes: readonly Pick<Scene, 'status'>[],
): Pick<Project, 'sceneCount' | 'completedScenes' | 'failedScenes'> {
  return {
    sceneCount: scenes.length,
    completedScenes: scenes.filter((s) => s.status === 'completed').length,
    failedScenes: scenes.filter((s) => s.status === 'failed').length,
  };
}

const conditionFailed = (err: unknown) => err instanceof ConditionalCheckFailedException;

/** A scene's move to another status, as prepareItem reports it. */
export interface SceneTransition {
  status: SceneStatus;
  media?: SceneMedia;
  error?: { code: string; message: string };
  /** Counts an attempt (on the move to processing). */
  attempt?: boolean;
}

/** Where a project job reports scene progress (the store; nothing for a project given inline). */
export interface SceneStatusSink {
  /** False when the project or the scene is gone (deleted or replaced meanwhile): nothing was written. */
  transition(tenantId: string, projectId: string, sceneId: string, t: SceneTransition): Promise<boolean>;
}

/**
 * Projects in the single table: `PK=PROJECT#<id>` with `SK=META` (the project, its counters and the
 * version of its scene list) and `SK=SCENE#001…` (the scenes in order). Every item carries the tenant and
 * every read and write checks it, so one tenant never sees or touches another's project (it reads as
 * missing). dynalite (the local DynamoDB) has no transactions, so changes of the scene list are made
 * conditional on META's `version` (optimistic locking) and a scene's status moves are conditional on its
 * id and previous status, each followed by an ADD to the counters.
 */
export class ProjectStore implements SceneStatusSink {
  /** The platform's (its table), made per call: tests and the local runtime may re-point the platform. */
  static of(p: { db: DynamoDBDocumentClient; table: string }): ProjectStore {
    return new ProjectStore(p.db, p.table);
  }

  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private sceneItem(tenantId: string, projectId: string, position: number, scene: Scene) {
    return { ...scene, PK: pk(projectId), SK: sceneKey(position), tenantId, projectId };
  }

  /** Creates the project and its scenes; false when the id is taken. */
  async create(project: Project, scenes: readonly Scene[]): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...project,
            PK: pk(project.id),
            SK: 'META',
            GSI1PK: listKey(project.tenantId),
            GSI1SK: project.createdAt,
            GSI3PK: projectStatusKey(project.tenantId, project.composeJobId ? 'composing' : 'draft'),
            GSI3SK: project.createdAt,
          },
          ConditionExpression: 'attribute_not_exists(PK)',
        }),
      );
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
    await Promise.all(
      scenes.map((s, i) =>
        this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: this.sceneItem(project.tenantId, project.id, i + 1, s),
          }),
        ),
      ),
    );
    return true;
  }

  /** The project with its scenes in order, or null when it does not exist or is another tenant's. */
  async get(tenantId: string, id: string): Promise<{ project: Project; scenes: Scene[] } | null> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const res = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'PK = :p',
          ExpressionAttributeValues: { ':p': pk(id) },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      items.push(...(res.Items ?? []));
      start = res.LastEvaluatedKey;
    } while (start);
    const meta = items.find((i) => i.SK === 'META');
    if (!meta || meta.tenantId !== tenantId) return null;
    const scenes = items
      .filter((i) => typeof i.SK === 'string' && i.SK.startsWith('SCENE#') && i.tenantId === tenantId)
      .sort((a, b) => String(a.SK).localeCompare(String(b.SK)))
      .map((i) => strip<Scene>(i));
    return { project: strip<Project>(meta, ['tenantId']), scenes };
  }

  /**
   * A page of the tenant's projects, newest first, without their scenes: all of them (GSI1), or those the
   * store holds in `status` (GSI3), read from their own partition rather than filtered after the limit.
   */
  async list(
    tenantId: string,
    limit = 50,
    cursor?: string,
    status?: ProjectStatus,
  ): Promise<{ projects: Project[]; cursor?: string }> {
    // The cursor holds the last project's createdAt and id only; the partition is always the caller's.
    let startKey: Record<string, string> | undefined;
    if (cursor) {
      const [createdAt, id] = decodeCursor(tenantId, cursor, [CURSOR_TIME, CURSOR_ID]);
      startKey = status
        ? { PK: pk(id!), SK: 'META', GSI3PK: projectStatusKey(tenantId, status), GSI3SK: createdAt! }
        : { PK: pk(id!), SK: 'META', GSI1PK: listKey(tenantId), GSI1SK: createdAt! };
    }
    const res = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        ...(status
          ? {
              IndexName: TABLE_INDEXES.GSI3,
              KeyConditionExpression: 'GSI3PK = :t',
              ExpressionAttributeValues: { ':t': projectStatusKey(tenantId, status) },
            }
          : {
              IndexName: TABLE_INDEXES.GSI1,
              KeyConditionExpression: 'GSI1PK = :t',
              ExpressionAttributeValues: { ':t': listKey(tenantId) },
            }),
        ScanIndexForward: false,
        Limit: limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const last = res.LastEvaluatedKey;
    return {
      projects: (res.Items ?? []).map((i) => strip<Project>(i, ['tenantId'])),
      ...(last
        ? {
            cursor: encodeCursor(tenantId, [
              String(last.GSI1SK ?? last.GSI3SK),
              String(last.PK).slice('PROJECT#'.length),
            ]),
          }
        : {}),
    };
  }

  /**
   * Files the project under `status` (GSI3) for its compose job `jobId`, setting the job when given;
   * false when the project is gone or another compose job replaced that one meanwhile.
   */
  async setStatus(
    tenantId: string,
    id: string,
    status: ProjectStatus,
    job: { id: string; replaces?: boolean },
  ): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: pk(id), SK: 'META' },
          UpdateExpression: job.replaces
            ? 'SET #g3 = :g3, #g3sk = #created, #job = :job, #updatedAt = :now'
            : 'SET #g3 = :g3, #g3sk = #created',
          ConditionExpression: job.replaces
            ? 'attribute_exists(PK) AND #tenant = :t'
            : 'attribute_exists(PK) AND #tenant = :t AND #job = :job',
          ExpressionAttributeNames: {
            '#g3': 'GSI3PK',
            '#g3sk': 'GSI3SK',
            '#created': 'createdAt',
            '#job': 'composeJobId',
            '#tenant': 'tenantId',
            ...(job.replaces ? { '#updatedAt': 'updatedAt' } : {}),
          },
          ExpressionAttributeValues: {
            ':g3': projectStatusKey(tenantId, status),
            ':t': tenantId,
            ':job': job.id,
            ...(job.replaces ? { ':now': new Date().toISOString() } : {}),
          },
        }),
      );
      return true;
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
  }

  /** Sets (value) or removes (undefined) project fields; null when the project is missing or not the tenant's. */
  async updateFields(tenantId: string, id: string, fields: Record<string, unknown>): Promise<Project | null> {
    const names: Record<string, string> = { '#tenant': 'tenantId', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':t': tenantId, ':now': new Date().toISOString() };
    const sets = ['#updatedAt = :now'];
    const removes: string[] = [];
    Object.entries(fields).forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      if (v === undefined) removes.push(`#f${i}`);
      else {
        values[`:v${i}`] = v;
        sets.push(`#f${i} = :v${i}`);
      }
    });
    try {
      const res = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: pk(id), SK: 'META' },
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'attribute_exists(PK) AND #tenant = :t',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return strip<Project>(res.Attributes ?? {}, ['tenantId']);
    } catch (err) {
      if (conditionFailed(err)) return null;
      throw err;
    }
  }

  /**
   * Replaces the scene list (add, replace, remove, reorder all go through here): META's version moves
   * from `version` to `version + 1` with the new counters, or nothing is written and false comes back
   * (someone else changed the list first). Then the scenes are written in order and extra positions
   * (the list got shorter) are deleted.
   */
  async setScenes(
    tenantId: string,
    id: string,
    version: number,
    scenes: readonly Scene[],
    previousCount: number,
  ): Promise<boolean> {
    const c = counters(scenes);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { PK: pk(id), SK: 'META' },
          UpdateExpression:
            'SET #version = :next, sceneCount = :n, completedScenes = :c, failedScenes = :f, updatedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND tenantId = :t AND #version = :v',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':t': tenantId,
            ':v': version,
            ':next': version + 1,
            ':n': c.sceneCount,
            ':c': c.completedScenes,
            ':f': c.failedScenes,
            ':now': new Date().toISOString(),
          },
        }),
      );
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
    await Promise.all(
      scenes.map((s, i) =>
        this.db.send(new PutCommand({ TableName: this.table, Item: this.sceneItem(tenantId, id, i + 1, s) })),
      ),
    );
    const extra = Array.from(
      { length: Math.max(0, previousCount - scenes.length) },
      (_, i) => scenes.length + i + 1,
    );
    await Promise.all(
      extra.map((pos) =>
        this.db.send(new DeleteCommand({ TableName: this.table, Key: { PK: pk(id), SK: sceneKey(pos) } })),
      ),
    );
    return true;
  }

  /** Deletes the project and its scenes; false when there was no such project for the tenant. */
  async delete(tenantId: string, id: string): Promise<boolean> {
    const found = await this.get(tenantId, id);
    if (!found) return false;
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { PK: pk(id), SK: 'META' },
          ConditionExpression: 'attribute_exists(PK) AND tenantId = :t',
          ExpressionAttributeValues: { ':t': tenantId },
        }),
      );
    } catch (err) {
      if (conditionFailed(err)) return false;
      throw err;
    }
    await Promise.all(
      found.scenes.map((_, i) =>
        this.db.send(new DeleteCommand({ TableName: this.table, Key: { PK: pk(id), SK: sceneKey(i + 1) } })),
      ),
    );
    return true;
  }

  /**
   * Moves one scene to another status (conditional on the scene still being there with the status it was
   * read with), then adjusts the counters. The scene is found by id, so a reorder meanwhile does no harm.
   */
  async transition(
    tenantId: string,
    projectId: string,
    sceneId: string,
    t: SceneTransition,
  ): Promise<boolean> {
    for (let tries = 0; tries < 3; tries++) {
      const found = await this.get(tenantId, projectId);
      const position = found ? found.scenes.findIndex((s) => s.id === sceneId) + 1 : 0;
      if (!found || position === 0) return false;
      const from = found.scenes[position - 1]!.status;
      const names: Record<string, string> = { '#status': 'status', '#id': 'id' };
      const values: Record<string, unknown> = {
        ':to': t.status,
        ':from': from,
        ':sid': sceneId,
        ':now': new Date().toISOString(),
      };
      const sets = ['#status = :to', 'updatedAt = :now'];
      const removes: string[] = [];
      if (t.attempt) {
        sets.push('attempts = if_not_exists(attempts, :zero) + :one');
        values[':zero'] = 0;
        values[':one'] = 1;
      }
      if (t.media) {
        sets.push('media = :media');
        values[':media'] = t.media;
      }
      if (t.error) {
        sets.push('#error = :error');
        names['#error'] = 'error';
        values[':error'] = t.error;
      } else {
        removes.push('#error');
        names['#error'] = 'error';
      }
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { PK: pk(projectId), SK: sceneKey(position) },
            UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
            ConditionExpression: '#id = :sid AND #status = :from',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
      } catch (err) {
        if (conditionFailed(err)) continue; // moved or changed meanwhile: read again
        throw err;
      }
      const delta = (s: SceneStatus) => (t.status === s ? 1 : 0) - (from === s ? 1 : 0);
      const dc = delta('completed');
      const df = delta('failed');
      if (dc || df) {
        await this.db
          .send(
            new UpdateCommand({
              TableName: this.table,
              Key: { PK: pk(projectId), SK: 'META' },
              UpdateExpression: 'ADD completedScenes :c, failedScenes :f',
              ConditionExpression: 'attribute_exists(PK) AND tenantId = :t',
              ExpressionAttributeValues: { ':c': dc, ':f': df, ':t': tenantId },
            }),
          )
          .catch((err: unknown) => {
            if (!conditionFailed(err)) throw err;
          });
      }
      return true;
    }
    return false;
  }
}
