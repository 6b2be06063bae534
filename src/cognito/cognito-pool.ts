import { PoolSettings } from '../config/config';

/** Everything needed to talk to one user pool and to verify the tokens it issues. */
export interface CognitoPool {
  region: string;
  /** Set for anything but AWS itself (an emulator). */
  endpoint?: string;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  issuer: string;
  /** Where the pool's signing keys may be fetched from: these URIs and no others. */
  jwksUris: string[];
  /** True when the issuer is AWS's own, so aws-jwt-verify's Cognito verifier applies as it is. */
  awsIssuer: boolean;
}

export function describePool(settings: Omit<PoolSettings, 'kind'>): CognitoPool {
  const { region, endpoint, userPoolId } = settings;
  const awsIssuer = !endpoint && !settings.issuer;
  const base = endpoint ?? `https://cognito-idp.${region}.amazonaws.com`;
  const jwksUri = `${base}/${userPoolId}/.well-known/jwks.json`;
  return {
    region,
    endpoint,
    userPoolId,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    issuer: settings.issuer ?? `${base}/${userPoolId}`,
    // AWS also issues tokens as https://issuer-cognito-idp.<region>.amazonaws.com/<pool>, with
    // its keys beside it; aws-jwt-verify's Cognito verifier accepts both forms.
    jwksUris: awsIssuer ? [jwksUri, jwksUri.replace('https://cognito-idp.', 'https://issuer-cognito-idp.')] : [jwksUri],
    awsIssuer,
  };
}
