import {
  DescribeStateMachineCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { clients } from './clients.js';

/**
 * The render pipeline's executions on Step Functions (the one state machine). The client is taken per
 * call: the local runtime points the SDK at its Step Functions endpoint only once that listens.
 */
export class StepFunctionsExecutions {
  /** Read when first used: only the functions that start, stop or check executions are given it. */
  constructor(private readonly machineArn: () => string) {}

  private get stateMachineArn(): string {
    return this.machineArn();
  }

  /**
   * An execution's ARN is its state machine's with ":execution:" and the execution name, so a job is
   * written with it before the start (one write less per submit).
   */
  arnFor(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  async start(name: string, input: unknown): Promise<void> {
    await clients().sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
  }

  /** Stops it with the error and cause given; one that does not exist (any more) is already stopped. */
  async stop(executionArn: string, reason: { error: string; cause: string }): Promise<void> {
    await clients()
      .sfn.send(new StopExecutionCommand({ executionArn, ...reason }))
      .catch((err: { name?: string }) => {
        if (err.name !== 'ExecutionDoesNotExist') throw err;
      });
  }

  /** Whether the state machine answers (the health check). */
  async ping(): Promise<void> {
    await clients().sfn.send(new DescribeStateMachineCommand({ stateMachineArn: this.stateMachineArn }));
  }
}
