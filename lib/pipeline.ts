import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HANDLERS } from '../lambdas/core/config.js';
import { EXECUTION_SECONDS, FIXED_TASK_SECONDS } from '../lambdas/core/plan/timeouts.js';
import { SFN_QUOTAS } from '../lambdas/core/plan/sfn-quotas.js';
import { CutlineFunction, ROOT } from './functions.js';
import type { RenderFleet } from './render-fleet.js';

export interface PipelineProps {
  table: Table;
  ingest: Bucket;
  outputs: Bucket;
  bus: EventBus;
  fleet: RenderFleet;
  ffmpegLayer: import('aws-cdk-lib/aws-lambda').ILayerVersion;
  environment: Record<string, string>;
  renderMemoryMiB: number;
  logGroup: LogGroup;
  logRetention: RetentionDays;
}

/** The render state machine from statemachines/render.asl.json and the functions behind its tasks. */
export class Pipeline extends Construct {
  readonly stateMachine: StateMachine;
  readonly stateMachineName: string;
  readonly functions: Record<keyof typeof HANDLERS.pipeline, CutlineFunction>;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    // Function timeouts are the Task timeouts of the ASL (lambdas/core/plan/timeouts.ts): a task never
    // outlives its function, and a function is never cut short before its task's limit.
    const light = (step: keyof typeof FIXED_TASK_SECONDS) => ({
      memorySize: 1024,
      timeout: Duration.seconds(FIXED_TASK_SECONDS[step]),
    });
    const heavy = {
      memorySize: props.renderMemoryMiB,
      timeout: Duration.seconds(SFN_QUOTAS.lambdaSeconds),
      ephemeralStorageMiB: 10240,
      layers: [props.ffmpegLayer],
      withFonts: true,
    };
    const env = {
      ...props.environment,
      CUTLINE_FFMPEG: '/opt/bin/ffmpeg',
      CUTLINE_FFPROBE: '/opt/bin/ffprobe',
      CUTLINE_FARGATE_SUBNETS: props.fleet.publicSubnetIds.join(','),
      CUTLINE_FARGATE_SECURITY_GROUPS: props.fleet.securityGroup.securityGroupId,
    };
    const make = (name: keyof typeof HANDLERS.pipeline, sizing: ReturnType<typeof light> | typeof heavy) =>
      new CutlineFunction(this, name, {
        entry: HANDLERS.pipeline[name],
        environment: env,
        logGroup: props.logGroup,
        ...sizing,
      });
    this.functions = {
      validate: make('validate', light('validate')),
      // Generated media (voice-overs, scenes) may take minutes and ffmpeg.
      prepareItem: make('prepareItem', heavy),
      probe: make('probe', heavy),
      plan: make('plan', heavy),
      renderChunk: make('renderChunk', heavy),
      renderAudio: make('renderAudio', heavy),
      stitch: make('stitch', heavy),
      finalize: make('finalize', light('finalize')),
      markFailed: make('markFailed', light('markFailed')),
    };
    for (const fn of Object.values(this.functions)) {
      props.table.grantReadWriteData(fn);
      props.outputs.grantReadWrite(fn);
      props.ingest.grantRead(fn);
    }
    props.ingest.grantPut(this.functions.markFailed);
    // Generated scene media (voice-overs) is published under the tenant's inputs/.
    props.ingest.grantPut(this.functions.prepareItem, 'inputs/*');

    const f = this.functions;
    // A fixed name, so the role can name the machine its Distributed Maps start children of without a
    // reference cycle (role policy → machine ARN → role).
    const stateMachineName = Names.uniqueResourceName(this, { maxLength: 80 });
    this.stateMachineName = stateMachineName;
    const arn = (resource: 'stateMachine' | 'execution', resourceName: string) =>
      Stack.of(this).formatArn({
        service: 'states',
        resource,
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.stateMachine = new StateMachine(this, 'Render', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromFile(`${ROOT}statemachines/render.asl.json`),
      definitionSubstitutions: {
        ValidateFunctionArn: f.validate.functionArn,
        PrepareItemFunctionArn: f.prepareItem.functionArn,
        ProbeFunctionArn: f.probe.functionArn,
        PlanFunctionArn: f.plan.functionArn,
        RenderChunkFunctionArn: f.renderChunk.functionArn,
        RenderAudioFunctionArn: f.renderAudio.functionArn,
        StitchFunctionArn: f.stitch.functionArn,
        FinalizeFunctionArn: f.finalize.functionArn,
        MarkFailedFunctionArn: f.markFailed.functionArn,
        ClusterArn: props.fleet.cluster.clusterArn,
        TaskDefinitionArn: props.fleet.taskDefinition.taskDefinitionArn,
        ContainerName: props.fleet.containerName,
        AssignPublicIp: 'ENABLED',
        EventBusName: props.bus.eventBusName,
      },
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'ExecutionLogs', { retention: props.logRetention }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      timeout: Duration.seconds(EXECUTION_SECONDS),
    });
    // Distributed Maps (RenderRenditions, RenderChunks) run child executions of this very machine, and
    // RenderRenditions reads its items from the Plan step's manifest under work/.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [arn('stateMachine', stateMachineName)],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution'],
        resources: [arn('execution', `${stateMachineName}/*`)],
      }),
    );
    props.outputs.grantRead(this.stateMachine, 'work/*');
    for (const fn of Object.values(f)) fn.grantInvoke(this.stateMachine);
    props.bus.grantPutEventsTo(this.stateMachine);
    // ecs:runTask.sync: run the task, pass its roles, and watch it through EventBridge's managed rule.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:RunTask'],
        resources: [props.fleet.taskDefinition.taskDefinitionArn],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['ecs:StopTask', 'ecs:DescribeTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': props.fleet.cluster.clusterArn } },
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [
          props.fleet.taskDefinition.taskRole.roleArn,
          props.fleet.taskDefinition.obtainExecutionRole().roleArn,
        ],
      }),
    );
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
        resources: [
          `arn:aws:events:${this.stateMachine.stack.region}:${this.stateMachine.stack.account}:rule/StepFunctionsGetEventsForECSTaskRule`,
        ],
      }),
    );
    props.table.grantReadWriteData(props.fleet.taskDefinition.taskRole);
    props.outputs.grantReadWrite(props.fleet.taskDefinition.taskRole);
    props.ingest.grantRead(props.fleet.taskDefinition.taskRole);
  }
}
