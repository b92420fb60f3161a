// The API client: every call carries the key; errors keep the API's { code, message, details }.
import { isRefusal } from './key.js';

export class ApiError extends Error {
  constructor(status, error) {
    super(error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error?.code ?? 'HTTP_ERROR';
    this.details = Array.isArray(error?.details) ? error.details : [];
  }
}

/**
 * `baseUrl` is '' when the console and the API share an origin (the local platform). `onRefused(err)` is
 * called for every 401/403 (the key is wrong or revoked) before the error is thrown, so every page
 * handles a refused key the same way, whichever call met it.
 */
export function createApi(baseUrl, key, onRefused) {
  async function call(method, path, body, headers = {}) {
    let res;
    try {
      res = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          'x-api-key': key,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
    } catch (err) {
      throw new ApiError(0, { code: 'NETWORK', message: `the API could not be reached: ${err.message}` });
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null; // not JSON (a proxy's error page, say): the status and text still tell the story
    }
    if (!res.ok) {
      const err = new ApiError(res.status, json?.error ?? { message: text || res.statusText });
      if (isRefusal(res.status)) {
        err.refused = true;
        onRefused?.(err);
      }
      throw err;
    }
    return json;
  }

  /**
   * Uploads a file: a presigned PUT from POST /v1/uploads, then the bytes with XMLHttpRequest, the one
   * browser API that reports upload progress. Resolves to the `src` to use in an edit.
   */
  async function upload(file, onProgress, signal) {
    const slot = await call('POST', '/v1/uploads', {
      filename: file.name,
      ...(file.type ? { contentType: file.type } : {}),
      // The presigned PUT signs this length: the storage refuses any other size.
      bytes: file.size,
    });
    await new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(slot.method ?? 'PUT', slot.url);
      for (const [k, v] of Object.entries(slot.headers ?? {})) xhr.setRequestHeader(k, v);
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded, e.total);
      xhr.onload = () =>
        xhr.status >= 200 && xhr.status < 300
          ? resolve()
          : reject(
              new ApiError(xhr.status, { code: 'UPLOAD_FAILED', message: `storage answered ${xhr.status}` }),
            );
      xhr.onerror = () =>
        reject(new ApiError(0, { code: 'UPLOAD_FAILED', message: 'the upload could not reach the storage' }));
      xhr.onabort = () =>
        reject(new ApiError(0, { code: 'UPLOAD_ABORTED', message: 'the upload was cancelled' }));
      signal?.addEventListener('abort', () => xhr.abort());
      xhr.send(file);
    });
    onProgress(file.size, file.size);
    return slot;
  }

  return { call, upload };
}
