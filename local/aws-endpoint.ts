import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { STATE_MACHINE_ARN, type LocalStepFunctions } from './stepfunctions.js';

type Op = (body: Record<string, unknown>) => Promise<unknown> | unknown;

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The AWS JSON protocol for the few Step Functions and EventBridge operations the handlers call, so the
 * handlers' real SDK clients work unchanged against the local runtime (AWS_ENDPOINT_URL_SFN /
 * AWS_ENDPOINT_URL_EVENTBRIDGE point here).
 */
export async function startAwsEndpoint(opts: {
  sfn: LocalStepFunctions;
  /** The EventBridge PutEvents protocol: request body in, response body out (throws for a bad request). */
  eventBridge: (body: string) => string;
}): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const ops: Record<string, Op> = {
    'AWSStepFunctions.StartExecution': (b) => {
      const e = opts.sfn.start(String(b.name ?? crypto.randomUUID()), String(b.input ?? '{}'));
      return { executionArn: e.executionArn, startDate: e.startDate.getTime() / 1000 };
    },
    'AWSStepFunctions.StopExecution': (b) => {
      if (!opts.sfn.stop(String(b.executionArn)))
        throw new AwsError('ExecutionDoesNotExist', `no execution ${b.executionArn}`);
      return { stopDate: Date.now() / 1000 };
    },
    // The health check's probe of the state machine: there is one, and it is always active locally.
    'AWSStepFunctions.DescribeStateMachine': (b) => {
      if (b.stateMachineArn !== STATE_MACHINE_ARN)
        throw new AwsError('StateMachineDoesNotExist', `no state machine ${b.stateMachineArn}`);
      return {
        stateMachineArn: STATE_MACHINE_ARN,
        name: STATE_MACHINE_ARN.slice(STATE_MACHINE_ARN.lastIndexOf(':') + 1),
        status: 'ACTIVE',
        type: 'STANDARD',
        definition: '{}',
        roleArn: 'arn:aws:iam::000000000000:role/local',
        creationDate: 0,
      };
    },
    'AWSStepFunctions.DescribeExecution': (b) => {
      const e = [...opts.sfn.executions.values()].find((x) => x.executionArn === b.executionArn);
      if (!e) throw new AwsError('ExecutionDoesNotExist', `no execution ${b.executionArn}`);
      return {
        executionArn: e.executionArn,
        name: e.name,
        status: e.status,
        startDate: e.startDate.getTime() / 1000,
        ...(e.stopDate ? { stopDate: e.stopDate.getTime() / 1000 } : {}),
        input: e.input,
        ...(e.output ? { output: e.output } : {}),
        ...(e.error ? { error: e.error, cause: e.cause } : {}),
      };
    },
    'AWSEvents.PutEvents': (b) => {
      try {
        return JSON.parse(opts.eventBridge(JSON.stringify(b)));
      } catch (err) {
        throw new AwsError((err as { type?: string }).type ?? 'ValidationException', (err as Error).message);
      }
    },
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      const op = ops[target];
      if (!op)
        return send(400, {
          __type: 'UnknownOperationException',
          message: `${target} is not available locally`,
        });
      try {
        send(
          200,
          await op(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>),
        );
      } catch (err) {
        const e = err as Error & { type?: string };
        send(400, {
          __type: e instanceof AwsError ? e.type : e.name || 'InternalFailure',
          message: e.message,
        });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
