import { PoolSettings } from '../config/config';

/** Everything needed to talk to one user pool and to verify the tokens it issues. */
export interface CognitoPool {
  region: string;
  /** Set for anything but AWS itself (an emulator): then the RSA verifier is used instead of Cognito's. */
  endpoint?: string;
  userPoolId: string;
  clientId: string;
  clientSecret?: string;
  issuer: string;
  jwksUri: string;
  /** True when the issuer is AWS's own, so aws-jwt-verify's Cognito verifier applies as it is. */
  awsIssuer: boolean;
}

export function describePool(settings: PoolSettings): CognitoPool {
  const { region, endpoint, userPoolId } = settings;
  const base = endpoint ?? `https://cognito-idp.${region}.amazonaws.com`;
  return {
    region,
    endpoint,
    userPoolId,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    issuer: settings.issuer ?? `${base}/${userPoolId}`,
    jwksUri: `${base}/${userPoolId}/.well-known/jwks.json`,
    awsIssuer: !endpoint && !settings.issuer,
  };
}
