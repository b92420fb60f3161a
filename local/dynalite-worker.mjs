// dynalite on its own thread (plain JS: a worker does not inherit the TypeScript loader under every runner).
// The API, the pipeline and the database then use separate event loops, so a 2-core machine runs them in
// parallel instead of queueing every DynamoDB call behind API work on one thread.
import { Buffer } from 'node:buffer';
import domain from 'node:domain';
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

// dynalite throws a LevelDB write error (a full disk: "IO error: …: No space left on device") out of its
// action callback, which would end this thread and with it the table. Each request runs in a domain, so
// such an error answers that request instead: 507 InsufficientStorage for a full disk (the SDK does not
// retry it; lambdas/core/errors.ts isStorageFull reads it), 500 for anything else. No path is sent.
const [handle] = server.listeners('request');
server.removeAllListeners('request');
server.on('request', (req, res) => {
  const d = domain.create();
  d.on('error', (err) => {
    const full = /no space left on device|ENOSPC|disk quota/i.test(String(err?.message ?? ''));
    const body = JSON.stringify(
      full
        ? {
            __type: 'com.amazonaws.dynamodb.v20120810#InsufficientStorage',
            message: "the local table (dynalite under the platform's data dir) is out of disk space",
          }
        : { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'internal error' },
    );
    // An answered request is left alone (its socket may carry the next one); a half-answered one is cut.
    if (res.writableEnded) return;
    if (res.headersSent) return res.destroy();
    res.writeHead(full ? 507 : 500, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
  d.add(req);
  d.add(res);
  d.run(() => handle(req, res));
});

server.listen(0, '127.0.0.1', (err) => {
  if (err) parentPort.postMessage({ error: err.message });
  else parentPort.postMessage({ port: server.address().port });
});
parentPort.on('message', (m) => {
  if (m === 'close') {
    server.close(() => {
      parentPort.postMessage('closed');
      parentPort.close();
    });
  }
});
