// Minimal typings for the two local servers (they ship none).
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export default function dynalite(opts: Record<string, unknown>): Server;
}
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  export default class S3rver extends EventEmitter {
    constructor(opts: Record<string, unknown>);
    run(): Promise<unknown>;
    close(): Promise<void>;
  }
}
