// dynalite on its own thread (plain JS: a worker does not inherit the TypeScript loader under every runner).
// The API, the pipeline and the database then use separate event loops, so a 2-core machine runs them in
// parallel instead of queueing every DynamoDB call behind API work on one thread.
import { parentPort, workerData } from 'node:worker_threads';
import dynalite from 'dynalite';

const server = dynalite({ path: workerData.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
