import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

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
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: s('GSI1PK'),
      sortKey: s('GSI1SK'),
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI2',
      partitionKey: s('GSI2PK'),
      sortKey: s('GSI2SK'),
    });
  }
}
