import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assertTenantId, type SecretBackend } from './secrets.js';

/**
 * The local backend: one `<tenant>.json` per tenant in `dir` (0700), each file 0600, written by rename so
 * a reader never sees half a record; `create` links the finished file into place, so of two processes
 * creating one at once exactly one wins.
 */
export class FileSecretBackend implements SecretBackend {
  constructor(private readonly dir: string) {}

  private path(tenantId: string): string {
    assertTenantId(tenantId);
    return join(this.dir, `${tenantId}.json`);
  }

  async read(tenantId: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(tenantId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async create(tenantId: string, value: string): Promise<boolean> {
    await this.ensureDir();
    const file = this.path(tenantId);
    const tmp = this.tmpName(file);
    await writeFile(tmp, value, { mode: 0o600 });
    try {
      // link() fails if the name exists: the whole record appears at once, or not at all.
      await link(tmp, file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    } finally {
      await unlink(tmp);
    }
  }

  async write(tenantId: string, value: string): Promise<void> {
    await this.ensureDir();
    const file = this.path(tenantId);
    const tmp = this.tmpName(file);
    await writeFile(tmp, value, { mode: 0o600 });
    await rename(tmp, file);
  }

  private tmpName(file: string): string {
    return `${file}.${process.pid}.${randomUUID()}.tmp`;
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
  }
}
