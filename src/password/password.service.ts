import { Injectable, Logger } from '@nestjs/common';
import { CognitoGateway } from '../cognito/cognito-gateway';
import { changePassword, confirmForgotPassword, forgotPassword } from '../cognito/operations/passwords';
import { signIn } from '../cognito/operations/sign-in';
import { revokeToken } from '../cognito/operations/sign-out';
import { CodeDeliveryDetails } from '../cognito/cognito.types';
import { TokenVerifier } from '../cognito/token-verifier';
import { SessionsService } from '../sessions/sessions.service';
import { ChangePasswordInput, ConfirmForgotPasswordInput } from './dto/password.inputs';
import { describeError } from '../common/text';
import { TokenUser } from '../common/token-user';

@Injectable()
export class PasswordService {
  private readonly logger = new Logger('Password');

  constructor(
    private readonly cognito: CognitoGateway,
    private readonly sessions: SessionsService,
    private readonly verifier: TokenVerifier,
  ) {}

  forgotPassword(username: string): Promise<CodeDeliveryDetails> {
    return this.cognito.run(forgotPassword, { username });
  }

  /** Sets the new password and ends every session of the user: a reset is how one recovers from a theft. */
  async confirmForgotPassword({ username, code, newPassword }: ConfirmForgotPasswordInput): Promise<boolean> {
    await this.sessions.assertCanEnd();
    await this.cognito.run(confirmForgotPassword, { username, code, newPassword });
    // First under the name typed, which is the user's own name on most pools: should the sign-in
    // below fail, the sessions of such a user have ended all the same.
    const typedUpTo = await this.sessions.endAll({ username, authTime: 0 });
    const endedUpTo = await this.endSessionsAfterReset(username, newPassword).catch((error: unknown) => {
      this.logger.error(
        `A password was reset, but its user's sessions were ended only under the name typed: ${describeError(error)}`,
      );
      return typedUpTo;
    });
    // Tokens carry whole seconds, so a session begun in the second of the record counts as ended.
    // Answering once that second is over (0.5 s later on average) lets the sign-in a client makes
    // next, with the new password, work at once.
    await secondOver(endedUpTo);
    return true;
  }

  /** Changes the password and ends the user's other sessions; this one goes on. */
  async changePassword(user: TokenUser, { currentPassword, newPassword }: ChangePasswordInput): Promise<boolean> {
    await this.sessions.assertCanEnd();
    await this.cognito.run(changePassword, { accessToken: user.accessToken, currentPassword, newPassword });
    await this.sessions.endOthers(user);
    return true;
  }

  /**
   * Records a sign-out of every session up to now for the user whose password was just reset.
   * Sign-outs are kept under the `username` claim of the user's tokens, but ConfirmForgotPassword
   * answers nothing, and the name the client typed may be an alias (an email, on a pool that signs
   * in by alias) or differ in case from the user's name (a case-insensitive pool). So we sign in
   * once with the new password, which only the resetting client knows, and read the name from
   * Cognito's answer: the tokens' `username` claim, or a challenge's USER_ID_FOR_SRP (an MFA user),
   * which is that same name. That sign-in's own session ends with the others (its sign-in time is
   * within the record) and its refresh token is revoked, best effort.
   *
   * Side effects of that sign-in: it counts as a sign-in in Cognito (Lambda triggers, the pool's
   * sign-in events); with SMS or email MFA, Cognito sends the user a code they did not ask for
   * (the challenge is left unanswered and expires). AWS's own refresh tokens are ended only by
   * AdminUserGlobalSignOut, which needs IAM rights this server does not have: see the README
   * (a Post confirmation trigger). The reset is done when this runs, so a failure here is logged,
   * not answered (the sessions have ended under the name typed): the client's next step, a sign-in
   * with the new password, works either way.
   */
  private async endSessionsAfterReset(typedName: string, newPassword: string): Promise<number> {
    const signedIn = await this.cognito.run(signIn, { username: typedName, password: newPassword });
    if ('name' in signedIn) {
      const username = signedIn.parameters.find((p) => p.name === 'USER_ID_FOR_SRP')?.value;
      if (!username) throw new Error(`the ${signedIn.name} challenge did not name the user (USER_ID_FOR_SRP)`);
      return this.sessions.endAll({ username, authTime: 0 });
    }
    const user = await this.verifier.verify(signedIn.accessToken);
    const endedUpTo = await this.sessions.endAll(user);
    if (signedIn.refreshToken) {
      await this.cognito.run(revokeToken, { refreshToken: signedIn.refreshToken }).catch((error: unknown) => {
        this.logger.warn(`Could not revoke the refresh token of the sign-in after a reset: ${describeError(error)}`);
      });
    }
    return endedUpTo;
  }
}

/** A little past the end of `second` (Unix seconds) on our clock, for clocks a few ms apart; 2 s at most. */
function secondOver(second: number): Promise<void> {
  const waitMs = Math.min((second + 1) * 1000 + CLOCK_MARGIN_MS - Date.now(), 2000);
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
}

const CLOCK_MARGIN_MS = 50;
