import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import { Effect, type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import type { Architecture, ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ENV, HANDLERS } from '../lambdas/core/config.js';
import { EXECUTION_SECONDS, FIXED_TASK_SECONDS } from '../lambdas/core/plan/timeouts.js';
import { SFN_QUOTAS } from '../lambdas/core/plan/sfn-quotas.js';
import type { ChromiumLayer } from './chromium-layer.js';
import { CutlineFunction, ROOT } from './functions.js';
import type { RenderFleet } from './render-fleet.js';

export interface PipelineProps {
  /** Job items and usage records. */
  readonly table: ITable;
  /** Sources under inputs/; generated scene media is published there; drop-folder error files. */
  readonly ingest: IBucket;
  /** Sources under outputs/, intermediates under work/, results under outputs/. */
  readonly outputs: IBucket;
  /** Where Job Progress (render tasks) and the job's end (the state machine) go. */
  readonly bus: IEventBus;
  /** The Fargate task long renders run as (ecs:runTask.sync). */
  readonly fleet: RenderFleet;
  /** ffmpeg and ffprobe for the render functions. */
  readonly ffmpegLayer: ILayerVersion;
  /** The architecture of the functions that carry the ffmpeg layer (the layer's own). */
  readonly mediaArchitecture: Architecture;
  /** Chromium for the functions that draw html, svg, shape and rich-text assets; none: they are refused. */
  readonly chromium?: ChromiumLayer;
  /** Settings of every task function, by ENV names. */
  readonly environment: Readonly<Record<string, string>>;
  /** Memory of the render functions (MiB); more memory is more vCPU. Default 3008. */
  readonly renderMemoryMiB?: number;
  /** Reserved concurrency of each render function (chunk, audio, stitch); default: unreserved. */
  readonly renderConcurrency?: number;
  readonly logGroup: ILogGroup;
  /** Retention of the execution logs. Default one month. */
  readonly logRetention?: RetentionDays;
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
      memorySize: props.renderMemoryMiB ?? 3008,
      timeout: Duration.seconds(SFN_QUOTAS.lambdaSeconds),
      ephemeralStorageMiB: 10240,
      layers: [props.ffmpegLayer],
      architecture: props.mediaArchitecture,
      withFonts: true,
    };
    // Every step that prepares the render (core/engine/prepare.ts) draws the edit's html, svg, shape and
    // rich-text assets: it carries Chromium, inflated into its /tmp beside the render scratch.
    const drawing = props.chromium
      ? { ...heavy, layers: [props.ffmpegLayer, props.chromium.layer], extraEnv: props.chromium.environment }
      : heavy;
    // The render budget: invokes beyond it are throttled (Lambda.TooManyRequestsException), and the ASL
    // retries throttles with backoff for minutes, so a burst waits instead of failing.
    const rendering = { ...drawing, reservedConcurrentExecutions: props.renderConcurrency };
    const env = {
      ...props.environment,
      [ENV.FFMPEG_PATH]: '/opt/bin/ffmpeg',
      [ENV.FFPROBE_PATH]: '/opt/bin/ffprobe',
      [ENV.FARGATE_SUBNETS]: props.fleet.publicSubnetIds.join(','),
      [ENV.FARGATE_SECURITY_GROUPS]: props.fleet.securityGroup.securityGroupId,
    };
    type Sizing = Omit<Partial<typeof heavy>, 'layers'> &
      ReturnType<typeof light> & { layers?: ILayerVersion[]; extraEnv?: Readonly<Record<string, string>> };
    const make = (name: keyof typeof HANDLERS.pipeline, { extraEnv, ...sizing }: Sizing) =>
      new CutlineFunction(this, name, {
        entry: HANDLERS.pipeline[name],
        environment: { ...env, ...extraEnv },
        logGroup: props.logGroup,
        ...sizing,
      });
    this.functions = {
      validate: make('validate', light('validate')),
      // Generated media (voice-overs, scenes) may take minutes and ffmpeg.
      prepareItem: make('prepareItem', heavy),
      probe: make('probe', drawing),
      plan: make('plan', drawing),
      renderChunk: make('renderChunk', rendering),
      renderAudio: make('renderAudio', rendering),
      stitch: make('stitch', rendering),
      packageMediaConvert: make('packageMediaConvert', light('packageMediaConvert')),
      // Finalize ffprobes stitched outputs for their duration (through the loopback range proxy): it
      // needs the layer's ffprobe, not the heavy sizing.
      finalize: make('finalize', {
        ...light('finalize'),
        layers: [props.ffmpegLayer],
        architecture: props.mediaArchitecture,
      }),
      markFailed: make('markFailed', light('markFailed')),
    };
    // Least privilege: each function gets the table and object actions its code calls, on the prefixes it
    // uses (ARCHITECTURE §3: sources under inputs/ and outputs/, intermediates under work/, results under
    // outputs/); the IAM simulation test (test/integration/platform/iam.test.ts) checks every call made.
    const access = pipelineAccess(props);
    const f = this.functions;
    // The job item: every task reads it and moves it on (stage, progress, metered compute, results). Only
    // the tasks that write usage records (Finalize, MarkFailed: puts, and the month's records they may
    // sum) or report to a project (PrepareItem: its scenes) also put and query.
    const jobItem = ['dynamodb:GetItem', 'dynamodb:UpdateItem'];
    for (const fn of [
      f.validate,
      f.probe,
      f.plan,
      f.renderChunk,
      f.renderAudio,
      f.stitch,
      f.packageMediaConvert,
    ])
      access.jobs(fn, ...jobItem);
    for (const fn of [f.prepareItem, f.finalize, f.markFailed]) access.jobs(fn);
    // Validate checks the request as stored; it reads no sources.
    for (const fn of [f.prepareItem, f.probe, f.plan, f.renderChunk, f.renderAudio, f.stitch])
      access.readSources(fn);
    // Transcription stages the speech under work/ and reads the provider's transcript back from there.
    access.work(f.prepareItem, 'read', 'write');
    access.work(f.probe, 'read', 'write');
    // Plan writes the rendition manifest; the single pass and the stitch keep their result files there.
    access.work(f.plan, 'read', 'write');
    access.work(f.renderChunk, 'read', 'write', 'delete');
    access.work(f.renderAudio, 'read', 'write', 'delete');
    access.work(f.stitch, 'read', 'write');
    access.work(f.finalize, 'read', 'list', 'delete');
    access.work(f.markFailed, 'read', 'list', 'delete');
    // MediaConvert packaging reads the renditions and the HLS tree MediaConvert wrote, and leaves its result in work/.
    access.work(f.packageMediaConvert, 'read', 'write');
    props.outputs.grantRead(f.packageMediaConvert, 'outputs/*');
    // Prepare items and expansion (caption src "auto") write the job's transcript.json among its results.
    for (const fn of [f.renderChunk, f.stitch, f.finalize, f.prepareItem, f.probe]) access.writeResults(fn);
    // Finalize checks every output it reports is stored (HeadObject needs s3:GetObject).
    props.outputs.grantRead(f.finalize, 'outputs/*');
    // Generated scene media (voice-overs) is published under the tenant's inputs/.
    props.ingest.grantPut(f.prepareItem, 'inputs/*');
    // A drop-folder job's failure is written beside its input, under drop/.
    props.ingest.grantPut(f.markFailed, 'drop/*');
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
        PackageMediaConvertFunctionArn: f.packageMediaConvert.functionArn,
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
        destination: new LogGroup(this, 'ExecutionLogs', {
          retention: props.logRetention ?? RetentionDays.ONE_MONTH,
        }),
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
    // The render tasks publish throttled Job Progress events themselves (lambdas/core/jobs/progress.ts).
    props.bus.grantPutEventsTo(f.renderChunk);
    props.bus.grantPutEventsTo(f.renderAudio);
    props.bus.grantPutEventsTo(f.stitch);
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
    // The Fargate render task (lambdas/pipeline/fargate.ts): the job, its sources and intermediates, its results.
    const task = props.fleet.taskDefinition.taskRole;
    access.jobs(task, ...jobItem);
    access.readSources(task);
    access.work(task, 'read', 'write');
    access.writeResults(task);
    // It publishes Job Progress itself (lambdas/core/jobs/progress.ts).
    props.bus.grantPutEventsTo(task);
  }
}

/** The grants pipeline code needs, by what it does, so each function's list reads as its behaviour. */
function pipelineAccess(props: Pick<PipelineProps, 'table' | 'ingest' | 'outputs'>) {
  const { table, ingest, outputs } = props;
  const workActions = {
    read: ['s3:GetObject'],
    write: ['s3:PutObject', 's3:AbortMultipartUpload'],
    delete: ['s3:DeleteObject'],
  } as const;
  return {
    /**
     * Job items and usage records: read, conditional updates, puts, queries (or only `actions`). No scans,
     * deletes or batch writes.
     */
    jobs: (grantee: IGrantable, ...actions: string[]) =>
      table.grant(
        grantee,
        ...(actions.length
          ? actions
          : ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']),
      ),
    /** Sources: the tenants' uploads (inputs/) and earlier results (outputs/). */
    readSources: (grantee: IGrantable) => {
      ingest.grantRead(grantee, 'inputs/*');
      outputs.grantRead(grantee, 'outputs/*');
    },
    /** Intermediates under work/ in the outputs bucket. */
    work: (grantee: IGrantable, ...what: Array<keyof typeof workActions | 'list'>) => {
      const actions = what.flatMap((w) => (w === 'list' ? [] : workActions[w]));
      if (actions.length)
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({ actions, resources: [outputs.arnForObjects('work/*')] }),
        );
      if (what.includes('list'))
        grantee.grantPrincipal.addToPrincipalPolicy(
          new PolicyStatement({
            actions: ['s3:ListBucket'],
            resources: [outputs.bucketArn],
            conditions: { StringLike: { 's3:prefix': 'work/*' } },
          }),
        );
    },
    /** Results under outputs/ (multipart for big files). */
    writeResults: (grantee: IGrantable) =>
      grantee.grantPrincipal.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ['s3:PutObject', 's3:AbortMultipartUpload'],
          resources: [outputs.arnForObjects('outputs/*')],
        }),
      ),
  };
}
