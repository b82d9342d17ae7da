import { Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as deployment from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../../console/content-security-policy.ts';
import type { ConsoleSignIn } from '../console-sign-in.ts';
import { consoleAssetsDirectory } from '../prebuilt-assets.ts';

export interface CredentialsConsoleProps {
  /** The API's origin (`https://<id>.execute-api.<region>.amazonaws.com`): the only place the page may call. */
  readonly apiOrigin: string;
  /** Sign-in with the tenant's identity provider (OpenID Connect, authorization code with PKCE). */
  readonly oidc: ConsoleSignIn;
}

/**
 * The browser console of one tenant: a private S3 bucket behind CloudFront (origin access
 * control, HTTPS only, strict security headers). It holds static files only; every call goes to
 * the tenant's API with the person's token.
 */
const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);

/** What cdk-nag finds in CDK's own bucket-deployment function, each acknowledged with its reason. */
const CDK_DEPLOYMENT_FINDINGS = (bucket: s3.Bucket): [string, string][] => {
  const stack = Stack.of(bucket);
  const copies =
    'CDK’s bucket deployment copies the console asset into the console bucket and invalidates its distribution.';
  const assets = `arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-${shown(stack.account, 'AccountId')}-${shown(stack.region, 'Region')}/*`;
  const bucketArn = `<${stack.getLogicalId(bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*`;
  return [
    ...[
      'Resource::*',
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::${assets}`,
      `Resource::${bucketArn}`,
    ].map((finding): [string, string] => [`AwsSolutions::AwsSolutions-IAM5[${finding}]`, copies]),
    [
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'CDK’s bucket deployment function writes its logs with the basic Lambda execution policy.',
    ],
    [
      'AwsSolutions::AwsSolutions-L1',
      'The runtime of CDK’s bucket deployment function is chosen by aws-cdk-lib.',
    ],
  ];
};

export class CredentialsConsole extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly url: string;

  constructor(scope: Construct, id: string, props: { signInOrigins: readonly string[] }) {
    super(scope, id);
    const bucket = new s3.Bucket(this, 'Assets', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'Static console files, written only by the deployment; reads go through CloudFront.',
    });
    this.headers = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      securityHeadersBehavior: {
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        // The page may call API Gateway in this region only. Naming the API itself would make a
        // cycle: the API's CORS names this distribution.
        contentSecurityPolicy: {
          contentSecurityPolicy: consoleContentSecurityPolicy([
            `https://*.execute-api.${Stack.of(this).region}.${Stack.of(this).urlSuffix}`,
            ...props.signInOrigins,
          ]),
          override: true,
        },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Credentials console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.headers,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      // No minimumProtocolVersion: without a custom certificate CloudFront ignores it (its default
      // certificate's policy is fixed), and CDK warns on every synth. See the CFR4 note below.
    });
    for (const [rule, reason] of [
      ['AwsSolutions::AwsSolutions-CFR1', 'The console is for the tenant’s people wherever they are.'],
      [
        'AwsSolutions::AwsSolutions-CFR2',
        'Static files only; the API behind it has its own throttling and JWT authorizer.',
      ],
      [
        'AwsSolutions::AwsSolutions-CFR3',
        'Static files only: access is logged where it matters, at the API.',
      ],
      [
        'AwsSolutions::AwsSolutions-CFR4',
        'The default CloudFront certificate; a tenant with its own domain sets TLSv1.2_2021 on it.',
      ],
    ] as const) {
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    }
    this.bucket = bucket;
    this.url = `https://${this.distribution.distributionDomainName}`;
  }

  private readonly headers: cloudfront.ResponseHeadersPolicy;
  private readonly bucket: s3.Bucket;

  /** Deploys the files with the stack's own config.json (where the API is, how to sign in). */
  deploy(props: CredentialsConsoleProps): void {
    new deployment.BucketDeployment(this, 'Files', {
      destinationBucket: this.bucket,
      sources: [
        deployment.Source.asset(consoleAssetsDirectory()),
        deployment.Source.jsonData('config.json', { apiUrl: props.apiOrigin, oidc: props.oidc }),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
    });
    // CDK's deployment function is a singleton at stack level, and its findings are there (none
    // is on the BucketDeployment itself): its role and runtime are CDK's.
    const singletons = Stack.of(this).node.children.filter((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    for (const scope of singletons) {
      for (const [rule, reason] of CDK_DEPLOYMENT_FINDINGS(this.bucket)) {
        Validations.of(scope).acknowledge({ id: rule, reason });
      }
    }
  }
}
