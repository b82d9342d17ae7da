import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The tenant's customer-managed key: the table and every secret of the tenant use it. Rotation stays on. */
export class TenantKey extends Construct {
  readonly key: kms.Key;

  constructor(
    scope: Construct,
    id: string,
    props: { tenantId: string; keyProps?: Omit<kms.KeyProps, 'enableKeyRotation'> },
  ) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: `Credentials service data of tenant ${props.tenantId}`,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      ...props.keyProps,
    });
  }
}
