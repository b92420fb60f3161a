import { fileURLToPath } from 'node:url';
import {
  Cluster,
  ContainerImage,
  ContainerInsights,
  CpuArchitecture,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface RenderFleetProps {
  /** Task vCPU in units (1024 = 1 vCPU). Default 4096. */
  readonly cpu?: number;
  /** Task memory (MiB). Default 8192. */
  readonly memoryLimitMiB?: number;
  /** Settings of the render task, by ENV names. */
  readonly environment: Readonly<Record<string, string>>;
  readonly logGroup: ILogGroup;
}

/**
 * Long renders run as one Fargate task per job. Network choice: public subnets with a public IP and no
 * NAT gateway. The task only talks to AWS APIs (S3, DynamoDB) and nothing reaches it (its security group
 * has no ingress), so a NAT gateway (~$32/month idle) or interface endpoints (~$7/month each) would cost
 * more than they protect. Teams that need private subnets can swap the VPC.
 */
export class RenderFleet extends Construct {
  readonly cluster: Cluster;
  readonly taskDefinition: FargateTaskDefinition;
  readonly securityGroup: SecurityGroup;
  readonly vpc: Vpc;
  readonly containerName = 'render';

  constructor(scope: Construct, id: string, props: RenderFleetProps) {
    super(scope, id);
    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC }],
      flowLogs: { all: {} },
    });
    this.securityGroup = new SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      allowAllOutbound: true,
      description: 'cutline render tasks: no ingress',
    });
    this.cluster = new Cluster(this, 'Cluster', {
      vpc: this.vpc,
      containerInsightsV2: ContainerInsights.ENABLED,
    });
    this.taskDefinition = new FargateTaskDefinition(this, 'RenderTask', {
      cpu: props.cpu ?? 4096,
      memoryLimitMiB: props.memoryLimitMiB ?? 8192,
      ephemeralStorageGiB: 100,
      // One architecture end to end: the functions and the ffmpeg layer are arm64, so is the task (and the
      // image below is built for it whatever machine runs `cdk deploy`).
      runtimePlatform: {
        cpuArchitecture: CpuArchitecture.ARM64,
        operatingSystemFamily: OperatingSystemFamily.LINUX,
      },
    });
    // The image is built from the repository at deploy time by cdk-assets; synth only stages the context.
    this.taskDefinition.addContainer(this.containerName, {
      image: ContainerImage.fromAsset(ROOT, {
        file: 'containers/render/Dockerfile',
        platform: Platform.LINUX_ARM64,
        // The build context is only what the Dockerfile copies; the rest (the ~150 MB ffmpeg layer build,
        // docs, tests, local data) would be uploaded to the Docker daemon for nothing.
        exclude: [
          'layers',
          'docs',
          'console',
          'test-results',
          '.ci',
          'node_modules',
          'cdk.out',
          '.git',
          '.cutline',
          'out',
          'bench',
          'examples/media',
          'test',
          'coverage',
        ],
      }),
      environment: { ...props.environment },
      logging: LogDrivers.awsLogs({ streamPrefix: 'render', logGroup: props.logGroup }),
    });
  }

  get publicSubnetIds(): string[] {
    return this.vpc.publicSubnets.map((s) => s.subnetId);
  }
}
