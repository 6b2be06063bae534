import { Injectable } from '@nestjs/common';
import { CognitoGateway } from '../cognito/cognito-gateway';
import { CodeDeliveryDetails, SignInResult, SignUpResult, Tokens } from '../cognito/cognito.types';
import { associateSoftwareToken, verifySoftwareToken } from '../cognito/operations/mfa';
import { ChallengeAnswer, refreshTokens, respondToChallenge, signIn } from '../cognito/operations/sign-in';
import { globalSignOut, revokeToken } from '../cognito/operations/sign-out';
import { confirmSignUp, resendConfirmationCode, signUp } from '../cognito/operations/sign-up';
import { TokenVerifier } from '../cognito/token-verifier';
import { readableTimes } from '../common/jwt-claims';
import { otpauthUri } from '../common/otpauth';
import { TokenUser } from '../common/token-user';
import { Setting } from '../config/config.module';
import { BadUserInputError } from '../errors/app-errors';
import { SessionsService } from '../sessions/sessions.service';
import { unwrapSession, wrapSession } from './challenge-session';
import {
  AuthenticateInput,
  ConfirmRegistrationInput,
  MfaChallengeInput,
  NewPasswordChallengeInput,
  RefreshTokensInput,
  RegisterInput,
} from './dto/auth.inputs';

const MFA_TYPES = ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'];

@Injectable()
export class AuthService {
  constructor(
    private readonly cognito: CognitoGateway,
    private readonly verifier: TokenVerifier,
    private readonly sessions: SessionsService,
    @Setting('totpIssuer') private readonly totpIssuer: string,
  ) {}

  register(input: RegisterInput): Promise<SignUpResult> {
    return this.cognito.run(signUp, input);
  }

  async confirmRegistration({ username, code }: ConfirmRegistrationInput): Promise<boolean> {
    return this.cognito.run(confirmSignUp, { username, code });
  }

  resendConfirmationCode(username: string): Promise<CodeDeliveryDetails> {
    return this.cognito.run(resendConfirmationCode, { username });
  }

  async authenticate({ username, password }: AuthenticateInput): Promise<SignInResult> {
    return this.present(await this.cognito.run(signIn, { username, password }), username);
  }

  async respondToNewPasswordChallenge({
    username,
    session,
    newPassword,
  }: NewPasswordChallengeInput): Promise<SignInResult> {
    const challenge = unwrapSession(session);
    if (challenge.challenge !== 'NEW_PASSWORD_REQUIRED') throw wrongChallenge('a NEW_PASSWORD_REQUIRED');
    return this.answer({
      name: 'NEW_PASSWORD_REQUIRED',
      username,
      session: challenge.session,
      responses: { NEW_PASSWORD: newPassword },
    });
  }

  async respondToMfaChallenge({ username, session, code }: MfaChallengeInput): Promise<SignInResult> {
    const { challenge, session: cognitoSession } = unwrapSession(session);
    let responses: Record<string, string>;
    switch (challenge) {
      case 'SMS_MFA':
        responses = { SMS_MFA_CODE: code };
        break;
      case 'SOFTWARE_TOKEN_MFA':
        responses = { SOFTWARE_TOKEN_MFA_CODE: code };
        break;
      case 'SELECT_MFA_TYPE':
        if (!MFA_TYPES.includes(code)) {
          throw BadUserInputError.forFields([{ field: 'code', problems: [`must be one of ${MFA_TYPES.join(', ')}`] }]);
        }
        responses = { ANSWER: code };
        break;
      case 'MFA_SETUP': {
        // The first code from the authenticator app proves the secret was set up; then sign in.
        const session = await this.cognito.run(verifySoftwareToken, { session: cognitoSession, code });
        return this.answer({ name: 'MFA_SETUP', username, session, responses: {} });
      }
      default:
        throw wrongChallenge('an MFA');
    }
    return this.answer({ name: challenge, username, session: cognitoSession, responses });
  }

  /** New tokens, unless the session they continue was signed out here. */
  async refreshTokens({ refreshToken, username }: RefreshTokensInput): Promise<Tokens> {
    const tokens = await this.cognito.run(refreshTokens, { refreshToken, username });
    const user = await this.verifier.verify(tokens.accessToken);
    // AWS keeps the sign-in time (auth_time) in refreshed tokens. cognito-local restarts it, but
    // its refresh token is a readable JWT whose iat is that time; AWS's is encrypted. Taking the
    // earlier of the two can only refuse more, so an unverified iat is safe to use here.
    const signedInAt = Math.min(user.authTime, readableTimes(refreshToken)?.iat ?? Infinity);
    this.sessions.assertActive({ ...user, authTime: signedInAt });
    return tokens;
  }

  /**
   * Ends every session of the user: recorded here first (so this server refuses their tokens from
   * now on, whatever Cognito answers), then at Cognito, whose refresh tokens stop working.
   */
  async signOut(user: TokenUser, refreshToken?: string): Promise<boolean> {
    await this.sessions.endAll(user);
    await this.cognito.run(globalSignOut, { accessToken: user.accessToken });
    if (refreshToken) await this.cognito.run(revokeToken, { refreshToken });
    return true;
  }

  private async answer(challenge: ChallengeAnswer): Promise<SignInResult> {
    return this.present(await this.cognito.run(respondToChallenge, challenge), challenge.username);
  }

  /** Challenges go out with their name in the session; MFA_SETUP also with the TOTP secret to set up. */
  private async present(result: SignInResult, username: string): Promise<SignInResult> {
    if (!('name' in result)) return result;
    if (result.name !== 'MFA_SETUP') return { ...result, session: wrapSession(result.name, result.session) };
    const setup = await this.cognito.run(associateSoftwareToken, { session: result.session });
    return {
      name: result.name,
      session: wrapSession(result.name, setup.session),
      parameters: [
        ...result.parameters,
        { name: 'SECRET_CODE', value: setup.secret },
        { name: 'OTPAUTH_URI', value: otpauthUri(this.totpIssuer, username, setup.secret) },
      ],
    };
  }
}

function wrongChallenge(kind: string): BadUserInputError {
  return BadUserInputError.forFields([{ field: 'session', problems: [`is not the session of ${kind} challenge`] }]);
}
