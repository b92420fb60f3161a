import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { INDEX_NAMES } from '../lambdas/core/aws/indexes.js';

export interface StateProps {
  /** Default RETAIN: deleting the stack keeps the table. */
  readonly removalPolicy?: RemovalPolicy;
}

/** The single table of ARCHITECTURE §3: jobs, templates, projects and idempotency keys. */
export class State extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StateProps = {}) {
    super(scope, id);
    const s = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new Table(this, 'Table', {
      partitionKey: s('PK'),
      sortKey: s('SK'),
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Every index of lambdas/core/aws/indexes.ts (a deployed table takes one new GSI per update, as here).
    for (const indexName of INDEX_NAMES)
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: s(`${indexName}PK`),
        sortKey: s(`${indexName}SK`),
      });
  }
}
