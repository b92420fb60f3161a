import {
  AccessLogFormat,
  type IApiKey,
  ApiKeySourceType,
  Cors,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  Period,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface ApiProps {
  handlers: {
    health: IFunction;
    openapi: IFunction;
    renders: IFunction;
    uploads?: IFunction;
    templates?: IFunction;
    projects?: IFunction;
    usage?: IFunction;
    metrics?: IFunction;
    validate?: IFunction;
    preview?: IFunction;
    webhooks?: IFunction;
  };
  throttle: { rateLimit: number; burstLimit: number };
  quota: { limit: number; period: Period };
  logRetention: RetentionDays;
}

const errorBody = (code: string, message: string) =>
  JSON.stringify({ error: { code, message } }).replace('"$MSG"', '$context.error.messageString');

/**
 * The REST API of ARCHITECTURE §3: every route but health needs an API key (its id is the tenant); a
 * usage plan throttles and caps each key. API Gateway caps bodies at 10 MB; the handlers refuse more
 * than 1 MB with 413.
 */
export class Api extends Construct {
  readonly api: RestApi;
  readonly key: IApiKey;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      description: 'cutline rendering API',
      apiKeySourceType: ApiKeySourceType.HEADER,
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: props.throttle.rateLimit,
        throttlingBurstLimit: props.throttle.burstLimit,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: Cors.ALL_ORIGINS,
        allowHeaders: ['content-type', 'x-api-key', 'idempotency-key'],
        allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      },
    });
    // Gateway errors in the platform's error shape.
    for (const [type, code] of [
      [ResponseType.MISSING_AUTHENTICATION_TOKEN, 'NOT_FOUND'],
      [ResponseType.INVALID_API_KEY, 'FORBIDDEN'],
      [ResponseType.QUOTA_EXCEEDED, 'QUOTA_EXCEEDED'],
      [ResponseType.THROTTLED, 'THROTTLED'],
      [ResponseType.REQUEST_TOO_LARGE, 'PAYLOAD_TOO_LARGE'],
    ] as const) {
      this.api.addGatewayResponse(`Gateway${code}`, {
        type,
        templates: { 'application/json': errorBody(code, '$MSG') },
        // Readable by the web console on its own origin (a wrong key must show as such, not as a CORS error).
        responseHeaders: {
          'Access-Control-Allow-Origin': "'*'",
          ...(type === ResponseType.THROTTLED || type === ResponseType.QUOTA_EXCEEDED
            ? { 'Retry-After': "'1'" }
            : {}),
        },
      });
    }
    // Bodies are validated by the handlers with the zod schemas (the OpenAPI document is generated from them).
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const keyed = { apiKeyRequired: true, requestValidator: validator };
    const v1 = this.api.root.addResource('v1');
    v1.addResource('health').addMethod('GET', new LambdaIntegration(props.handlers.health));
    v1.addResource('openapi.json').addMethod('GET', new LambdaIntegration(props.handlers.openapi), keyed);
    const renders = v1.addResource('renders');
    const rendersFn = new LambdaIntegration(props.handlers.renders);
    renders.addMethod('POST', rendersFn, keyed);
    renders.addMethod('GET', rendersFn, keyed);
    const one = renders.addResource('{id}');
    one.addMethod('GET', rendersFn, keyed);
    one.addResource('cancel').addMethod('POST', rendersFn, keyed);
    // Other job types share the renders function (one create path).
    v1.addResource('clips').addMethod('POST', rendersFn, keyed);
    v1.addResource('mixes').addMethod('POST', rendersFn, keyed);
    if (props.handlers.validate)
      v1.addResource('validate').addMethod('POST', new LambdaIntegration(props.handlers.validate), keyed);
    if (props.handlers.preview)
      v1.addResource('preview').addMethod('POST', new LambdaIntegration(props.handlers.preview), keyed);
    if (props.handlers.uploads)
      v1.addResource('uploads').addMethod('POST', new LambdaIntegration(props.handlers.uploads), keyed);
    if (props.handlers.templates) {
      const t = new LambdaIntegration(props.handlers.templates);
      const templates = v1.addResource('templates');
      templates.addMethod('POST', t, keyed);
      templates.addMethod('GET', t, keyed);
      const tpl = templates.addResource('{id}');
      for (const m of ['GET', 'PUT', 'DELETE']) tpl.addMethod(m, t, keyed);
      tpl.addResource('render').addMethod('POST', t, keyed);
    }
    if (props.handlers.projects) {
      const p = new LambdaIntegration(props.handlers.projects);
      const projects = v1.addResource('projects');
      projects.addMethod('POST', p, keyed);
      projects.addMethod('GET', p, keyed);
      const project = projects.addResource('{id}');
      for (const m of ['GET', 'PUT', 'DELETE']) project.addMethod(m, p, keyed);
      const scenes = project.addResource('scenes');
      scenes.addMethod('POST', p, keyed);
      const scene = scenes.addResource('{n}');
      for (const m of ['PUT', 'DELETE']) scene.addMethod(m, p, keyed);
      project.addResource('order').addMethod('PUT', p, keyed);
      project.addResource('compose').addMethod('POST', p, keyed);
      project.addResource('final-video').addMethod('GET', p, keyed);
      project.addResource('plan').addMethod('POST', p, keyed);
    }

    if (props.handlers.usage)
      v1.addResource('usage').addMethod('GET', new LambdaIntegration(props.handlers.usage), keyed);
    if (props.handlers.metrics)
      v1.addResource('metrics').addMethod('GET', new LambdaIntegration(props.handlers.metrics), keyed);
    if (props.handlers.webhooks) {
      const w = new LambdaIntegration(props.handlers.webhooks);
      const secret = v1.addResource('webhooks').addResource('secret');
      secret.addMethod('GET', w, keyed);
      secret.addResource('rotate').addMethod('POST', w, keyed);
    }

    const plan = this.api.addUsagePlan('UsagePlan', {
      throttle: props.throttle,
      quota: props.quota,
      apiStages: [{ stage: this.api.deploymentStage }],
    });
    this.key = this.api.addApiKey('DefaultKey', {
      description: 'the first tenant; create more keys per tenant',
    });
    plan.addApiKey(this.key);
  }
}
