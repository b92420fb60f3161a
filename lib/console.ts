import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { listExamples } from '../examples/catalog.js';
import { CONSOLE_CSP } from '../lambdas/core/console-headers.js';
import { ROOT } from './functions.js';

export interface WebConsoleProps {
  /** The API's base URL (the stage URL); written to config.json for the console to call. */
  readonly apiUrl: string;
  /** Receives the bucket's access logs and the distribution's logs. */
  readonly logsBucket: IBucket;
  readonly removalPolicy: RemovalPolicy;
  /** Default PRICE_CLASS_100 (North America and Europe edges): the console is small and rarely hot. */
  readonly priceClass?: PriceClass;
}

/**
 * The web console (console/ in the repo) in a private bucket behind CloudFront with origin access
 * control, deployed with a generated config.json (the API URL) and examples.json (the examples, their
 * media left relative: the console tells users to upload it).
 */
export class WebConsole extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebConsoleProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Site', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: false,
      serverAccessLogsBucket: props.logsBucket,
      serverAccessLogsPrefix: 'console/',
    });
    const headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'cutline console: CSP and the usual security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
      },
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'cutline web console',
      defaultRootObject: 'index.html',
      priceClass: props.priceClass ?? PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logsBucket,
      logFilePrefix: 'console-cdn/',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
      },
    });
    new BucketDeployment(this, 'Deploy', {
      sources: [
        Source.asset(`${ROOT}console`, { exclude: ['*.d.ts'] }),
        Source.jsonData('config.json', { apiUrl: props.apiUrl }),
        Source.jsonData('examples.json', { examples: listExamples() }),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
  }

  get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }
}
