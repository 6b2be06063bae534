import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';

/** What the gateway's operations answer: plain data, shaped like the GraphQL models that expose it. */

/** A challenge Cognito may pose (NEW_PASSWORD_REQUIRED, SOFTWARE_TOKEN_MFA, …): the SDK's names. */
export type ChallengeName = ChallengeNameType;

export interface CodeDeliveryDetails {
  destination: string | null;
  medium: string | null;
  attributeName: string | null;
}

export interface SignUpResult {
  username: string;
  userSub: string;
  userConfirmed: boolean;
  codeDelivery: CodeDeliveryDetails | null;
}

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken: string | null;
  expiresIn: number;
  tokenType: string;
}

export interface Challenge {
  name: string;
  session: string;
  parameters: { name: string; value: string }[];
}

export type SignInResult = Tokens | Challenge;

export interface UserProfile {
  email: string | null;
  emailVerified: boolean | null;
  name: string | null;
}
