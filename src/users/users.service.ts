import { Injectable } from '@nestjs/common';
import { CognitoGateway } from '../cognito/cognito-gateway';
import { deleteUser, getUser, updateUserAttributes, verifyEmail } from '../cognito/operations/account';
import { UserProfile } from '../cognito/cognito.types';
import { BadUserInputError } from '../errors/app-errors';
import { SessionsService } from '../sessions/sessions.service';
import { UpdateMeInput } from './dto/users.inputs';
import { TokenUser } from '../common/token-user';

@Injectable()
export class UsersService {
  // Keyed by the per-request user object, so the profile is fetched at most once per request
  // (however many profile fields are asked for) and is gone with the request.
  private readonly profiles = new WeakMap<TokenUser, Promise<UserProfile>>();

  constructor(
    private readonly cognito: CognitoGateway,
    private readonly sessions: SessionsService,
  ) {}

  profile(user: TokenUser): Promise<UserProfile> {
    let profile = this.profiles.get(user);
    if (!profile) {
      profile = this.cognito.run(getUser, { accessToken: user.accessToken });
      this.profiles.set(user, profile);
    }
    return profile;
  }

  /** Null and absent fields are left as they are. */
  async update(user: TokenUser, { email, name }: UpdateMeInput): Promise<TokenUser> {
    if (email == null && name == null) throw new BadUserInputError('Give at least one of email and name');
    const attributes: Record<string, string> = {};
    if (email != null) attributes.email = email;
    if (name != null) attributes.name = name;
    await this.cognito.run(updateUserAttributes, { accessToken: user.accessToken, attributes });
    this.profiles.delete(user);
    return user;
  }

  async verifyEmail(user: TokenUser, code: string): Promise<TokenUser> {
    await this.cognito.run(verifyEmail, { accessToken: user.accessToken, code });
    this.profiles.delete(user);
    return user;
  }

  /** Deletes the account; its tokens are refused from then on. */
  async delete(user: TokenUser): Promise<boolean> {
    await this.sessions.assertCanEnd();
    await this.cognito.run(deleteUser, { accessToken: user.accessToken });
    await this.sessions.endAll(user);
    return true;
  }
}
