import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface StorageProps {
  /** Default RETAIN: deleting the stack keeps the buckets. */
  readonly removalPolicy?: RemovalPolicy;
  /** Days before intermediates under work/ expire. Default 7. */
  readonly workExpiryDays?: number;
}

/** The ingest bucket (uploads and the drop/ folder), the outputs bucket, and their access-log bucket. */
export class Storage extends Construct {
  readonly ingest: Bucket;
  readonly outputs: Bucket;
  readonly logs: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const common = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    };
    this.logs = new Bucket(this, 'AccessLogs', {
      ...common,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
    });
    this.ingest = new Bucket(this, 'Ingest', {
      ...common,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'ingest/',
      cors: [{ allowedMethods: [HttpMethods.PUT], allowedOrigins: ['*'], allowedHeaders: ['*'] }],
      lifecycleRules: [{ prefix: 'work/', expiration: Duration.days(props.workExpiryDays ?? 7) }],
    });
    this.outputs = new Bucket(this, 'Outputs', {
      ...common,
      serverAccessLogsBucket: this.logs,
      serverAccessLogsPrefix: 'outputs/',
      // Outputs are read through presigned URLs (the URL is the grant); the console reads manifest.json
      // with fetch from its own origin, which needs CORS on GET.
      cors: [{ allowedMethods: [HttpMethods.GET, HttpMethods.HEAD], allowedOrigins: ['*'], maxAge: 3000 }],
      lifecycleRules: [
        { prefix: 'work/', expiration: Duration.days(props.workExpiryDays ?? 7) },
        // Outputs are written by multipart uploads (large files, the stitch's reference join): one left
        // incomplete by a function that died mid-way is removed, not billed for ever.
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
